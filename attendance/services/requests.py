"""Every change to meeting requests: a department or an institution asks for a meeting, the
Infohus answers.

    submitted --accept--> accepted (a published meeting for the request's unit)
    submitted --propose--> proposed --proposal accept--> accepted
                                    --proposal decline--> submitted (the coordinator tries again)
    submitted | proposed --decline (with a reason)--> declined
    submitted | proposed --withdraw--> withdrawn

Every transition locks the request's row and re-checks its status inside the lock (SELECT ...
FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the database's write
lock), so two coordinators answering at once, or a coordinator declining while the requester
accepts the proposal, cannot both act: the second one is told the request has been answered.

People are told by email after commit (attendance.notifications.requests -> attendance.tasks ->
attendance.emails.requests). The audit log carries ids and field names only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from attendance import access
from attendance.lib import preferred_times
from attendance.models import ActionCardVersion, Meeting, MeetingRequest
from attendance.notifications import meetings as notifications
from attendance.notifications import requests as request_notifications
from attendance.selectors import requests as request_selectors
from attendance.services.meetings import _deny, meeting_create, meeting_publish
from lms import audit, bounds
from lms.competence.models import Competence
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User

__all__ = [
    "request_create",
    "request_accept",
    "request_propose",
    "request_proposal_accept",
    "request_proposal_decline",
    "request_decline",
    "request_withdraw",
    "request_default_title",
    "request_default_competence",
    "request_suggested_time",
]

Status = MeetingRequest.Status


def _lock(meeting_request: MeetingRequest) -> MeetingRequest:
    """The request's row, locked until the transaction ends, with fresh values.

    of=("self",): the joined unit's row must not be locked too (every request for the same
    institution would wait for each other)."""
    return (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("org_unit")
        .get(pk=meeting_request.pk)
    )


def _status_error(meeting_request: MeetingRequest) -> ValidationError:
    if meeting_request.status in MeetingRequest.OPEN:
        message = _("This is not possible while the request's status is “%(status)s”.")
    else:
        message = _("This request has already been answered: “%(status)s”.")
    return ValidationError(
        message % {"status": meeting_request.get_status_display()}, code="invalid_transition"
    )


def _begin(
    meeting_request: MeetingRequest, *, allowed: tuple[str, ...], permitted: bool
) -> MeetingRequest:
    """The request locked, after the caller's access check (`permitted`) and its status."""
    if not permitted:
        _deny()
    meeting_request = _lock(meeting_request)
    if meeting_request.status not in allowed:
        raise _status_error(meeting_request)
    return meeting_request


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_times(starts_at: dt.datetime | None, ends_at: dt.datetime | None) -> None:
    errors: dict[str, str] = {}
    if starts_at is None:
        errors["starts_at"] = _("Give the start time.")
    elif timezone.is_naive(starts_at):
        errors["starts_at"] = _("Give the time with its time zone.")
    elif starts_at <= timezone.now():
        errors["starts_at"] = _("Choose a time in the future.")
    bounds.check(errors, "starts_at", starts_at and bounds.date_error(starts_at))
    if ends_at is None:
        errors["ends_at"] = _("Give the end time.")
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("The meeting must end after it starts.")
    bounds.check(errors, "ends_at", ends_at and bounds.date_error(ends_at))
    if errors:
        raise ValidationError(errors)


def _check_categories_have_staff(org_unit: OrgUnit, categories: list[JobCategory]) -> None:
    """A meeting for job categories that nobody in the unit holds has an empty audience: refused,
    naming the categories, so the requester chooses others or none (everyone)."""
    empty = request_selectors.unit_job_categories_without_staff(
        org_unit=org_unit, job_categories=categories
    )
    if empty:
        raise ValidationError(
            {
                "job_categories": ValidationError(
                    ngettext(
                        "Nobody at %(unit)s has the job category %(categories)s. Choose other "
                        "job categories, or none for everyone.",
                        "Nobody at %(unit)s has the job categories %(categories)s. Choose other "
                        "job categories, or none for everyone.",
                        len(empty),
                    )
                    % {"unit": org_unit.name, "categories": ", ".join(c.name for c in empty)},
                    code="empty_audience",
                )
            }
        )


def empty_audience_error(org_unit: OrgUnit, categories: list[JobCategory]) -> ValidationError:
    """Nobody active at the unit (of these job categories) would be in the meeting's audience."""
    if categories:
        message = _(
            "Nobody at %(unit)s is in the audience: no active member of staff has the job "
            "category %(categories)s. Widen the audience: choose other job categories, or none "
            "for everyone."
        ) % {"unit": org_unit.name, "categories": ", ".join(c.name for c in categories)}
    else:
        message = _(
            "Nobody at %(unit)s is in the audience: the unit has no active staff on the roster."
        ) % {"unit": org_unit.name}
    return ValidationError(message, code="empty_audience")


@transaction.atomic
def request_create(
    *,
    org_unit: OrgUnit,
    kind: str,
    expected_participants: int,
    preferred_from: dt.date,
    preferred_until: dt.date,
    preferred_times: str = "",
    place: str = "",
    message: str = "",
    job_categories: Iterable[JobCategory] = (),
    by: User | None,
) -> MeetingRequest:
    """Ask for a meeting for `org_unit` (inside `by`'s MEETING_REQUEST scope)."""
    errors: dict[str, str] = {}
    if org_unit is None:
        errors["org_unit"] = _("Choose who the meeting is for.")
    elif by is not None and not policy.can(by, access.Action.MEETING_REQUEST, org_unit):
        errors["org_unit"] = _("Choose a unit inside your own area.")
    if kind not in Meeting.Kind.values:
        errors["kind"] = _("Choose the kind of meeting.")
    if expected_participants is None or expected_participants < 1:
        errors["expected_participants"] = _("Expect at least one participant.")
    else:
        bounds.check(
            errors,
            "expected_participants",
            bounds.number_error(expected_participants, bounds.PARTICIPANTS),
        )
    today = timezone.localdate()
    if preferred_from is None:
        errors["preferred_from"] = _("Give the first date that would suit you.")
    elif preferred_from < today:
        errors["preferred_from"] = _("The period cannot start in the past.")
    if preferred_until is None:
        errors["preferred_until"] = _("Give the last date that would suit you.")
    elif preferred_from is not None and preferred_until < preferred_from:
        errors["preferred_until"] = _("The period must end on or after its first day.")
    for field, day in (("preferred_from", preferred_from), ("preferred_until", preferred_until)):
        bounds.check(errors, field, day and bounds.date_error(day))
    if errors:
        raise ValidationError(errors)
    categories = list(job_categories)
    if categories:
        _check_categories_have_staff(org_unit, categories)
    meeting_request = MeetingRequest(
        org_unit=org_unit,
        kind=kind,
        expected_participants=expected_participants,
        preferred_from=preferred_from,
        preferred_until=preferred_until,
        preferred_times=_text(preferred_times),
        place=_text(place),
        message=_text(message),
        requested_by=by,
    )
    meeting_request.full_clean(exclude=["job_categories"], validate_constraints=False)
    meeting_request.save()
    if categories:
        meeting_request.job_categories.set(categories)
    audit.log(
        meeting_request,
        "lms.meetingrequest.create",
        by=by,
        data={"org_unit_id": org_unit.pk, "kind": kind},
    )
    notifications.after_commit(
        request_notifications.request_submitted, request_id=meeting_request.pk
    )
    return meeting_request


@transaction.atomic
def request_withdraw(*, request: MeetingRequest, by: User | None) -> MeetingRequest:
    """The requester no longer needs the meeting (while it is still open)."""
    permitted = by is None or access.may_follow_up_request(by, request)
    request = _begin(request, allowed=MeetingRequest.OPEN, permitted=permitted)
    was = request.status
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status", "updated_at"])
    audit.log(request, "lms.meetingrequest.withdraw", by=by, data={"was": was})
    return request


def request_default_title(meeting_request: MeetingRequest) -> str:
    """ "Informationsmøde: Hjørring Gymnasium", in the installation's language (it is stored)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("%(kind)s: %(unit)s") % {
            "kind": Meeting.Kind(meeting_request.kind).label,
            "unit": meeting_request.org_unit.name,
        }


def request_suggested_time(
    *, request: MeetingRequest, today: dt.date | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """Where the coordinator's answer starts: a working day in the request's preferred period, on
    a weekday and at the time its "preferred days and times" name (Tuesday afternoon: the first
    Tuesday at 13:00), not before tomorrow. In the installation's time zone."""
    today = today or timezone.localdate()
    day, start, length = preferred_times.suggest(
        request.preferred_times,
        first=request.preferred_from,
        until=request.preferred_until,
        earliest=today + dt.timedelta(days=1),
    )
    starts_at = timezone.make_aware(dt.datetime.combine(day, start))
    return starts_at, starts_at + length


def request_default_competence(*, kind: str, organiser: OrgUnit) -> Competence | None:
    """The competence the organiser's latest meeting of this kind awarded: an Infohus gives the
    same competence for the same kind of meeting, so a requested meeting earns it too."""
    latest = (
        Meeting.objects.filter(kind=kind, org_unit=organiser, competence__isnull=False)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("competence")
        .order_by("-starts_at", "-pk")
        .first()
    )
    return latest.competence if latest is not None else None


def _meeting_for(
    meeting_request: MeetingRequest,
    *,
    by: User | None,
    organiser: OrgUnit,
    job_categories: list[JobCategory] | None = None,
    **fields,
) -> Meeting:
    """Create and publish the meeting a request turns into: for the request's unit and job
    categories (or those the coordinator widened it to), and for an external institution's staff
    when the unit is one."""
    unit = meeting_request.org_unit
    if job_categories is None:
        job_categories = list(meeting_request.job_categories.all())
    meeting = meeting_create(
        kind=meeting_request.kind,
        org_unit=organiser,
        audience_units=[unit],
        institution=unit if unit.kind == OrgUnit.Kind.INSTITUTION else None,
        job_categories=job_categories,
        by=by,
        **fields,
    )
    return meeting_publish(meeting=meeting, by=by)


def _answered(meeting_request: MeetingRequest, by: User | None, *fields: str) -> None:
    meeting_request.handled_by = by
    meeting_request.handled_at = timezone.now()
    meeting_request.save(update_fields=[*fields, "handled_by", "handled_at", "updated_at"])


@transaction.atomic
def request_accept(
    *,
    request: MeetingRequest,
    by: User | None,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    venue: str = "",
    online_url: str = "",
    organiser: OrgUnit | None = None,
    facilitators: Iterable[User] = (),
    competence: Competence | None = None,
    action_card_version: ActionCardVersion | None = None,
    description: str = "",
    job_categories: Iterable[JobCategory] | None = None,
    empty_audience_confirmed: bool = False,
) -> MeetingRequest:
    """Say yes: the meeting is created and published for the request's unit, and the requester
    is told. `organiser` defaults to the top of the answering coordinator's area.

    `job_categories` replaces the request's (the coordinator widens an audience nobody is in;
    empty: everyone); None keeps the request's. A meeting nobody of the unit could attend is
    refused (code "empty_audience") unless `empty_audience_confirmed`: an institution whose staff
    are not on the roster yet books them as new colleagues."""
    permitted = by is None or access.may_answer_request(by, request)
    request = _begin(request, allowed=(Status.SUBMITTED,), permitted=permitted)
    categories = (
        list(request.job_categories.all()) if job_categories is None else list(job_categories)
    )
    if not empty_audience_confirmed and not request_selectors.unit_audience_size(
        org_unit=request.org_unit, job_categories=categories
    ):
        raise ValidationError(
            {"job_categories": empty_audience_error(request.org_unit, categories)}
        )
    if organiser is None:
        organiser = access.request_organiser(by, request.org_unit)
    elif not request.org_unit.path.startswith(organiser.path):
        raise ValidationError(
            {"organiser": _("The organising unit must hold the unit the meeting is for.")}
        )
    meeting = _meeting_for(
        request,
        by=by,
        organiser=organiser,
        job_categories=categories,
        title=_text(title),
        description=_text(description),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        venue=_text(venue),
        online_url=_text(online_url),
        facilitators=list(facilitators),
        competence=competence,
        action_card_version=action_card_version,
    )
    request.meeting = meeting
    request.status = Status.ACCEPTED
    _answered(request, by, "meeting", "status")
    audit.log(
        request,
        "lms.meetingrequest.accept",
        by=by,
        data={"meeting_id": meeting.pk, "job_category_ids": [c.pk for c in categories]},
    )
    notifications.after_commit(
        request_notifications.request_answered, request_id=request.pk, status=Status.ACCEPTED
    )
    return request


@transaction.atomic
def request_propose(
    *,
    request: MeetingRequest,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    message: str = "",
    by: User | None,
) -> MeetingRequest:
    """Propose another time; the requester accepts (the meeting is created) or declines it."""
    permitted = by is None or access.may_answer_request(by, request)
    _check_times(starts_at, ends_at)
    request = _begin(request, allowed=(Status.SUBMITTED,), permitted=permitted)
    request.status = Status.PROPOSED
    request.proposed_starts_at = starts_at
    request.proposed_ends_at = ends_at
    request.response = _text(message)
    _answered(request, by, "status", "proposed_starts_at", "proposed_ends_at", "response")
    audit.log(request, "lms.meetingrequest.propose", by=by, data={"fields": ["proposed_starts_at"]})
    notifications.after_commit(
        request_notifications.request_answered, request_id=request.pk, status=Status.PROPOSED
    )
    return request


@transaction.atomic
def request_decline(*, request: MeetingRequest, reason: str, by: User | None) -> MeetingRequest:
    """Say no, with a reason the requester reads."""
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": _("Give a reason for declining.")}, code="no_reason")
    permitted = by is None or access.may_answer_request(by, request)
    request = _begin(request, allowed=MeetingRequest.OPEN, permitted=permitted)
    was = request.status
    request.status = Status.DECLINED
    request.response = reason
    _answered(request, by, "status", "response")
    audit.log(request, "lms.meetingrequest.decline", by=by, data={"was": was})
    notifications.after_commit(
        request_notifications.request_answered, request_id=request.pk, status=Status.DECLINED
    )
    return request


@transaction.atomic
def request_proposal_accept(*, request: MeetingRequest, by: User | None) -> MeetingRequest:
    """The requester takes the proposed time: the meeting is created and published at it.

    The requester does not manage meetings, so after their access is checked the system creates
    the meeting, organised where the proposing coordinator would have organised it, with what
    the request says (venue: the place asked for, else the unit itself; seats: the expected
    participants), the proposing coordinator as facilitator and the competence the organiser's
    meetings of this kind award."""
    permitted = by is None or access.may_follow_up_request(by, request)
    request = _begin(request, allowed=(Status.PROPOSED,), permitted=permitted)
    if request.proposed_starts_at <= timezone.now():
        raise ValidationError(
            _("The proposed time has passed. Decline it and ask for another time."),
            code="proposal_passed",
        )
    coordinator = request.handled_by
    if coordinator is not None and not (
        coordinator.is_active and access.may_answer_request(coordinator, request)
    ):
        coordinator = None
    organiser = access.request_organiser(coordinator, request.org_unit)
    meeting = _meeting_for(
        request,
        by=None,
        organiser=organiser,
        title=request_default_title(request),
        starts_at=request.proposed_starts_at,
        ends_at=request.proposed_ends_at,
        capacity=request.expected_participants,
        venue=request.place or request.org_unit.name,
        facilitators=[coordinator] if coordinator is not None else [],
        competence=request_default_competence(kind=request.kind, organiser=organiser),
    )
    request.meeting = meeting
    request.status = Status.ACCEPTED
    request.save(update_fields=["meeting", "status", "updated_at"])
    audit.log(request, "lms.meetingrequest.proposal_accept", by=by, data={"meeting_id": meeting.pk})
    notifications.after_commit(
        request_notifications.request_proposal_answered, request_id=request.pk, accepted=True
    )
    return request


@transaction.atomic
def request_proposal_decline(
    *, request: MeetingRequest, message: str, by: User | None
) -> MeetingRequest:
    """The proposed time does not suit: back to the coordinator, with the requester's message
    added to the request (what would suit instead), so they can try again."""
    message = _text(message)
    if not message:
        raise ValidationError(
            {"message": _("Tell the Infohus which times would suit you instead.")},
            code="no_message",
        )
    permitted = by is None or access.may_follow_up_request(by, request)
    request = _begin(request, allowed=(Status.PROPOSED,), permitted=permitted)
    with translation.override(settings.LANGUAGE_CODE):
        heading = _("Reply to the proposed time (%(date)s):") % {
            "date": timezone.localdate().strftime("%d.%m.%Y")
        }
    request.message = f"{request.message}\n\n{heading}\n{message}".strip()
    request.status = Status.SUBMITTED
    # The declined time stays visible to the coordinator; the status says it is not current.
    request.save(update_fields=["message", "status", "updated_at"])
    audit.log(request, "lms.meetingrequest.proposal_decline", by=by, data={"fields": ["message"]})
    notifications.after_commit(
        request_notifications.request_proposal_answered, request_id=request.pk, accepted=False
    )
    return request
