"""The Infohus's handling of a case: every read is recorded, and each step of the assessment is
recorded in order (the action plan's 4.2.2 and NCFE's assessment tool):

received -> leader informed (before the interview, as the plan requires) -> concern interview
(date, who) -> analysis (which authorities took part) -> overall assessment and recommendation ->
outcome (advice / crisis team / the police's decision on PET/EAE, recorded only by the police
representative / forwarded, not about extremism) -> feedback given to the reporter (date) ->
closed with the journal reference in the municipality's case system.

Who may record a step: lms.concerns.access (may_advance). Each step is one transaction that
locks the case and re-checks its status, so two people recording the same step at once make one
change; the audit entry names the step, never the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit, bounds
from lms.concerns import access
from lms.concerns.lib import routing
from lms.concerns.models import Concern, ForwardingService
from lms.people.models import User

LOG_VIEW = "lms.concern.view"
LOG_ADVANCE = "lms.concern.advance"

Status = Concern.Status
Outcome = Concern.Outcome
ORDER = list(Status.values)


def concern_read_record(*, by: User, concern: Concern) -> None:
    """Record that `by` opened the case. Refused for anyone who may not read it."""
    if not access.may_view_case(by, concern):
        raise PermissionDenied
    audit.log(concern, LOG_VIEW, by=by)


def next_status(concern: Concern) -> str | None:
    index = ORDER.index(concern.status)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def _date(value, field: str, errors: dict) -> dt.date | None:
    if not isinstance(value, dt.date):
        errors[field] = [_("Give the date.")]
        return None
    if value > timezone.localdate():
        errors[field] = [_("The date cannot be in the future.")]
    elif (error := bounds.date_error(value)) is not None:
        errors[field] = [error]  # year 1 and the like: the platform's range (lms.bounds)
    return value


def _text(value, field: str, errors: dict, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = [message]
    return value


def _leader(concern: Concern, data: dict, errors: dict) -> dict:
    return {
        "leader_informed_on": _date(data.get("leader_informed_on"), "leader_informed_on", errors)
    }


def _interview(concern: Concern, data: dict, errors: dict) -> dict:
    return {
        "interview_on": _date(data.get("interview_on"), "interview_on", errors),
        "interview_by": _text(
            data.get("interview_by"), "interview_by", errors, _("Say who took part.")
        ),
    }


def _analysis(concern: Concern, data: dict, errors: dict) -> dict:
    return {
        "analysis_authorities": _text(
            data.get("analysis_authorities"),
            "analysis_authorities",
            errors,
            _("Say which authorities took part in the analysis."),
        )
    }


def _assessment(concern: Concern, data: dict, errors: dict) -> dict:
    return {
        "assessment": _text(
            data.get("assessment"),
            "assessment",
            errors,
            _("Write the overall assessment and recommendation."),
        )
    }


def _outcome(concern: Concern, data: dict, errors: dict) -> dict:
    outcome = data.get("outcome") or ""
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
        return {}
    fields: dict[str, Any] = {
        "outcome": outcome,
        "police_decision": "",
        "forwarded_to": "",
        "forwarded_service": None,
        "forwarded_at": None,
    }
    if outcome == Outcome.POLICE:
        decision = data.get("police_decision") or ""
        if decision not in Concern.PoliceDecision.values:
            errors["police_decision"] = [_("Record the police's decision on PET/EAE.")]
        fields["police_decision"] = decision
    if outcome == Outcome.FORWARDED:
        service = _service(concern, data.get("forwarded_service"))
        if service is None:
            errors["forwarded_service"] = [
                _("Choose the service the concern was forwarded to from the Infohus's list.")
            ]
        else:
            fields["forwarded_service"] = service
            fields["forwarded_to"] = service.name
            fields["forwarded_at"] = timezone.now()
        fields["route"] = routing.FORWARDED
    return fields


def _service(concern: Concern, value) -> ForwardingService | None:
    """An active service on the case's own Infohus's list (an instance or its id), or None."""
    pk = value.pk if isinstance(value, ForwardingService) else value
    if pk in (None, ""):
        return None
    try:
        return ForwardingService.objects.filter(
            pk=int(pk), infohus_id=concern.infohus_id, active=True
        ).first()
    except (TypeError, ValueError):
        return None


def _feedback(concern: Concern, data: dict, errors: dict) -> dict:
    return {"feedback_on": _date(data.get("feedback_on"), "feedback_on", errors)}


def _close(concern: Concern, data: dict, errors: dict) -> dict:
    return {
        "journal_reference": _text(
            data.get("journal_reference"),
            "journal_reference",
            errors,
            _("Give the journal reference in the municipality's case system."),
        ),
        "closed_at": timezone.now(),
    }


# What each step records: its fields, checked.
STEPS: dict[str, Callable[[Concern, dict, dict], dict]] = {
    Status.LEADER_INFORMED: _leader,
    Status.INTERVIEW: _interview,
    Status.ANALYSIS: _analysis,
    Status.ASSESSMENT: _assessment,
    Status.OUTCOME: _outcome,
    Status.FEEDBACK_GIVEN: _feedback,
    Status.CLOSED: _close,
}


def concern_advance(*, by: User, concern: Concern, to: str, **data: Any) -> Concern:
    """Record the step `to` (the case's next status) with its fields. Refused (PermissionDenied)
    for anyone who may not; a step out of order or missing fields is a ValidationError and
    changes nothing."""
    if not access.may_advance(by, concern, outcome=data.get("outcome", "")):
        raise PermissionDenied
    with transaction.atomic():
        locked = Concern.objects.select_for_update().select_related("infohus").get(pk=concern.pk)
        if to not in STEPS or next_status(locked) != to:
            raise ValidationError(
                _("The case has moved on since you opened it. Open it again."), code="stale"
            )
        errors: dict[str, list[str]] = {}
        fields = STEPS[to](locked, data, errors)
        if errors:
            raise ValidationError(errors)
        previous = locked.status
        forwarded = fields.get("forwarded_service") is not None
        if forwarded:
            # Who forwarded it: the case records it beside the service and the moment.
            fields["forwarded_by"] = by
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.status = to
        locked.save(update_fields=[*fields, "status", "updated_at"])
        logged = {"from": previous, "to": to, "outcome": locked.outcome}
        if forwarded:
            # To whom (a service of the Infohus's list, never a person); who and when are the
            # entry's own user and timestamp.
            logged["forwarded_service"] = locked.forwarded_service_id
            logged["forwarded_to"] = locked.forwarded_to
        audit.log(locked, LOG_ADVANCE, by=by, data=logged)
    return locked
