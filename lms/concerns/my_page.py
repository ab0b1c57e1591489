"""The concern intake's section of Min side (lms.site.my_page): the concerns the signed-in
person reported, with their case reference and whether the Infohus has given feedback; never
their content. Registered in ConcernsConfig.ready()."""

from __future__ import annotations

from lms.concerns.selectors.intake import reported_by
from lms.site.my_page import Section

FEEDBACK_GIVEN = ("feedback_given", "closed")


def concerns_context(request) -> dict | None:
    concerns = reported_by(request.user)
    if not concerns:
        return None
    return {
        "concerns": [
            {
                "reference": concern.reference,
                "received": concern.created_at,
                "feedback_given": concern.status in FEEDBACK_GIVEN,
                "feedback_on": concern.feedback_on,
            }
            for concern in concerns
        ]
    }


SECTION = Section(
    name="concerns.reported",
    template_name="concerns/my_page/reported.html",
    get_context=concerns_context,
    order=90,
)
