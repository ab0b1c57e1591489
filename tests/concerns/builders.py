"""Cases made through the real intake service."""

import uuid

from lms.concerns.services.intake import concern_report


def concern_make(*, infohus, by=None, kind="citizen", **fields):
    defaults = {
        "age_group": "under_18",
        "description": "Han taler om hellig krig og har skiftet alle venner ud.",
        "subject_name": "Karl Hemmelig",
    }
    if kind == "staff":
        defaults.update(reporter_name="Anna Medarbejder", leader_knows=True)
    if kind == "partner":
        defaults.update(
            reporter_name="Per Partner",
            reporter_organisation="Boligselskabet",
            reporter_phone="11 22 33 44",
            leader_knows=False,
        )
    defaults.update(fields)
    concern, _created = concern_report(
        by=by, infohus=infohus, submission=uuid.uuid4(), reporter_kind=kind, **defaults
    )
    return concern
