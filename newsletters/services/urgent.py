"""An urgent internal message: written and sent at once by a leader (access.URGENT_SEND).

One step, one transaction: the message and its send are created and the send started (the
recipient list frozen, the ledger written); its batches go on the urgent queue after commit and
through the same engine as an edition (newsletters.services.deliveries), exactly once. Missing
parts or an audience outside the leader's area create nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms import audit
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User
from newsletters import access
from newsletters.models import Send, UrgentMessage
from newsletters.selectors.audiences import audience_chosen_or_default
from newsletters.services import sends as send_services

__all__ = ["REQUIRED_MESSAGES", "urgent_message_send"]

# The parts the plan asks for, each required, and what a leader reads when one is missing.
REQUIRED_MESSAGES = {
    "subject": gettext_lazy("Write a subject."),
    "situation": gettext_lazy("Write what has happened and what is being done."),
    "who_acts": gettext_lazy("Write who acts."),
    "staff_action": gettext_lazy("Write how staff should act."),
    "contact": gettext_lazy("Write whom staff should contact."),
}
URGENT_FIELDS = tuple(REQUIRED_MESSAGES)


def _missing(fields: dict[str, str]) -> ValidationError | None:
    errors = {
        name: ValidationError(str(REQUIRED_MESSAGES[name]), code="required")
        for name in URGENT_FIELDS
        if not fields[name]
    }
    return ValidationError(errors) if errors else None


@transaction.atomic
def urgent_message_send(
    *,
    org_unit: OrgUnit,
    subject: str,
    situation: str,
    who_acts: str,
    staff_action: str,
    contact: str,
    audience_units: Iterable[OrgUnit] | None = None,
    job_categories: Iterable[JobCategory] | None = None,
    include_externals: bool | None = None,
    by: User | None,
    now: dt.datetime | None = None,
) -> Send:
    """Send an urgent message from the Infohus `org_unit` now. Without `audience_units`: the
    Infohus's default audience (broad: the whole municipality unless configured otherwise).
    Every unit of the audience must lie in `by`'s URGENT_SEND scope."""
    policy.require(by, access.URGENT_SEND, org_unit)
    fields = {
        "subject": " ".join(subject.split()),
        "situation": situation.strip(),
        "who_acts": who_acts.strip(),
        "staff_action": staff_action.strip(),
        "contact": contact.strip(),
    }
    error = _missing(fields)
    if error is not None:
        raise error
    if len(fields["subject"]) > UrgentMessage._meta.get_field("subject").max_length:
        message = _("The subject is too long.")
        raise ValidationError({"subject": ValidationError(message, code="max_length")})
    audience = audience_chosen_or_default(
        org_unit,
        units=audience_units,
        job_categories=job_categories,
        include_externals=include_externals,
    )
    units = audience.units
    send_services.audience_check(org_unit=org_unit, units=units, by=by, action=access.URGENT_SEND)
    message = UrgentMessage.objects.create(org_unit=org_unit, created_by=by, **fields)
    send = Send.objects.create(
        urgent_message=message,
        org_unit=org_unit,
        include_externals=audience.include_externals,
        urgent=True,
        created_by=by,
    )
    send.audience_units.set(units)
    send.job_categories.set(audience.job_categories)
    audit.log(
        message,
        "lms.urgent_message.send",
        by=by,
        data={
            "send": send.pk,
            "audience_units": sorted(u.pk for u in units),
            "include_externals": send.include_externals,
        },
    )
    return send_services.send_start(send=send, by=by, now=now)
