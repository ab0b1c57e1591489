"""Every change to the record of Action Cards handed out: at a meeting (one row per meeting and
version, serialised on the meeting's row) or to a workplace (a row per hand-out).

The audit log (lms.distribution.*) carries ids and field names only.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import access
from attendance.models import ActionCardVersion, CardDistribution, Meeting
from lms import audit, bounds
from lms.people import policy
from lms.people.models import OrgUnit, User

__all__ = [
    "distribution_place",
    "distribution_record",
    "distribution_delete",
]

A = access.Action
V = ActionCardVersion.Status

_MEETING_CLOSED_FOR_CARDS = (Meeting.Status.DRAFT, Meeting.Status.CANCELLED)


def distribution_place(meeting: Meeting) -> OrgUnit:
    """Where a meeting's copies went: its institution, else its single audience unit, else the
    unit that organised it."""
    if meeting.institution_id is not None:
        return meeting.institution
    audience = list(meeting.audience_units.all()[:2])
    if len(audience) == 1:
        return audience[0]
    return meeting.org_unit


@transaction.atomic
def distribution_record(
    *,
    version: ActionCardVersion,
    quantity: int,
    handed_out_on: dt.date | None = None,
    org_unit: OrgUnit | None = None,
    meeting: Meeting | None = None,
    note: str = "",
    by: User | None,
) -> CardDistribution:
    """Record copies of an approved version handed out at a meeting or to a workplace.

    A meeting has one row per version: recording again changes that row's quantity (the count
    after the meeting is the one that counts). A workplace gets a row per hand-out."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    today = timezone.localdate()
    note = (note or "").strip()
    if version.status != V.APPROVED:
        add(
            "version",
            _("Only an approved version can be handed out: approve the draft first."),
        )
    elif by is not None and not access.can_card(by, A.ACTIONCARD_VIEW, version.card):
        add("version", _("Choose an Action Card of your own Infohus."))
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        add("quantity", _("Give the number of copies: at least 1."))
    elif quantity > bounds.QUANTITY.maximum:
        add("quantity", _("That is more copies than one hand-out can be: check the number."))
    if len(note) > 300:
        add("note", _("Keep the note under 300 characters."))
    if meeting is None and org_unit is None:
        add("org_unit", _("Choose the meeting or the workplace the copies went to."))
    if meeting is not None:
        if meeting.status in _MEETING_CLOSED_FOR_CARDS:
            add(
                "meeting",
                _("Copies can only be recorded for a meeting that is published or has been held."),
            )
        if by is not None and not policy.can(by, A.DISTRIBUTION_RECORD, meeting.org_unit):
            add("meeting", _("You do not have permission to do this here."))
        if handed_out_on is None:
            handed_out_on = min(timezone.localdate(meeting.starts_at), today)
        if org_unit is not None and not org_unit.path.startswith(meeting.org_unit.path):
            add("org_unit", _("The place must lie within the meeting's organising unit."))
    if org_unit is not None and by is not None:
        if not policy.can(by, A.DISTRIBUTION_RECORD, org_unit):
            add("org_unit", _("Choose a place inside your area."))
    if handed_out_on is None:
        handed_out_on = today
    elif not isinstance(handed_out_on, dt.date):
        add("handed_out_on", _("Give the date the copies were handed out."))
    elif handed_out_on > today:
        add("handed_out_on", _("The date cannot be in the future."))
    elif error := bounds.date_error(handed_out_on):
        errors.setdefault("handed_out_on", []).append(error)
    if errors:
        raise ValidationError(errors)

    if meeting is None:
        distribution = CardDistribution.objects.create(
            version=version,
            org_unit=org_unit,
            quantity=quantity,
            handed_out_on=handed_out_on,
            note=note,
            recorded_by=by,
        )
        audit.log(
            distribution,
            "lms.distribution.record",
            by=by,
            data={"version_id": version.pk, "org_unit_id": org_unit.pk, "quantity": quantity},
        )
        return distribution

    # One row per meeting and version: serialise on the meeting's row, then read or create.
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("org_unit", "institution")
        .get(pk=meeting.pk)
    )
    place = org_unit or distribution_place(meeting)
    distribution = CardDistribution.objects.filter(meeting=meeting, version=version).first()
    if distribution is None:
        distribution = CardDistribution.objects.create(
            version=version,
            meeting=meeting,
            org_unit=place,
            quantity=quantity,
            handed_out_on=handed_out_on,
            note=note,
            recorded_by=by,
        )
        audit.log(
            distribution,
            "lms.distribution.record",
            by=by,
            data={
                "version_id": version.pk,
                "meeting_id": meeting.pk,
                "org_unit_id": place.pk,
                "quantity": quantity,
            },
        )
        return distribution
    old_quantity = distribution.quantity
    distribution.quantity = quantity
    distribution.handed_out_on = handed_out_on
    distribution.org_unit = place
    distribution.note = note or distribution.note
    distribution.recorded_by = by
    distribution.save()
    audit.log(
        distribution,
        "lms.distribution.update",
        by=by,
        data={
            "version_id": version.pk,
            "meeting_id": meeting.pk,
            "org_unit_id": place.pk,
            "quantity": quantity,
            "old_quantity": old_quantity,
        },
    )
    return distribution


@transaction.atomic
def distribution_delete(*, distribution: CardDistribution, by: User | None) -> None:
    """Remove a distribution recorded by mistake (the audit log keeps what it was)."""
    policy.require(by, A.DISTRIBUTION_RECORD, distribution.org_unit)
    audit.log(
        distribution,
        "lms.distribution.delete",
        by=by,
        data={
            "version_id": distribution.version_id,
            "meeting_id": distribution.meeting_id,
            "org_unit_id": distribution.org_unit_id,
            "quantity": distribution.quantity,
        },
    )
    distribution.delete()
