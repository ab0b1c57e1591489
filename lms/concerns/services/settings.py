"""What an Infohus sets for its concern handling (models.settings): the deadline periods and its
list of forwarding services. Only its coordinators (access.may_configure), never a superuser
without the role; each change in the audit log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils.translation import gettext as _

from lms import audit
from lms.bounds import number_error
from lms.concerns import access
from lms.concerns.models import ConcernSettings, ForwardingService
from lms.concerns.models.settings import ACKNOWLEDGE_DAYS, FEEDBACK_DAYS
from lms.people.models import OrgUnit, User

LOG_SETTINGS = "lms.concern_settings.change"
LOG_SERVICE_CREATE = "lms.concern_service.create"
LOG_SERVICE_CHANGE = "lms.concern_service.change"
LOG_SERVICE_DELETE = "lms.concern_service.delete"


def _require(by: User | None, unit: OrgUnit) -> None:
    if by is None or not access.may_configure(by, unit):
        raise PermissionDenied


def concern_settings_save(
    *, by: User, infohus: OrgUnit, acknowledge_days: int, feedback_days: int
) -> ConcernSettings:
    """Set an Infohus's periods. New cases get due dates from them; cases already received keep
    theirs (the deadline they were given)."""
    _require(by, infohus)
    errors = {}
    for field, value, bound in (
        ("acknowledge_days", acknowledge_days, ACKNOWLEDGE_DAYS),
        ("feedback_days", feedback_days, FEEDBACK_DAYS),
    ):
        error = number_error(value, bound)
        if error is not None:
            errors[field] = [error]
    if not errors and feedback_days < acknowledge_days:
        errors["feedback_days"] = [
            _("The feedback period cannot be shorter than the acknowledgement period.")
        ]
    if errors:
        raise ValidationError(errors)
    values = {"acknowledge_days": acknowledge_days, "feedback_days": feedback_days}
    with transaction.atomic():
        row, _created = ConcernSettings.objects.update_or_create(infohus=infohus, defaults=values)
        audit.log(row, LOG_SETTINGS, by=by, data=values)
    return row


def _service_fields(name: str, handles: str, contact: str, errors: dict) -> dict:
    name, handles, contact = (name or "").strip(), (handles or "").strip(), (contact or "").strip()
    if not name:
        errors["name"] = [_("Give the service's name.")]
    if not handles:
        errors["handles"] = [_("Say what the service handles.")]
    return {"name": name, "handles": handles, "contact": contact}


def _save(service: ForwardingService, action: str, by: User) -> ForwardingService:
    try:
        with transaction.atomic():
            service.full_clean(exclude=["infohus"], validate_unique=False)
            service.save()
            audit.log(service, action, by=by, data={"name": service.name})
    except IntegrityError:
        raise ValidationError(
            {"name": [_("The Infohus has a service of that name already.")]}
        ) from None
    return service


def forwarding_service_create(
    *, by: User, infohus: OrgUnit, name: str, handles: str, contact: str = "", active: bool = True
) -> ForwardingService:
    _require(by, infohus)
    errors: dict = {}
    fields = _service_fields(name, handles, contact, errors)
    if errors:
        raise ValidationError(errors)
    return _save(
        ForwardingService(infohus=infohus, active=bool(active), **fields), LOG_SERVICE_CREATE, by
    )


def forwarding_service_update(
    *, by: User, service: ForwardingService, name: str, handles: str, contact: str, active: bool
) -> ForwardingService:
    _require(by, service.infohus)
    errors: dict = {}
    fields = _service_fields(name, handles, contact, errors)
    if errors:
        raise ValidationError(errors)
    for field, value in fields.items():
        setattr(service, field, value)
    service.active = bool(active)
    return _save(service, LOG_SERVICE_CHANGE, by)


def forwarding_service_delete(*, by: User, service: ForwardingService) -> None:
    """Delete a service no case was forwarded to; one that was used is deactivated instead."""
    _require(by, service.infohus)
    try:
        with transaction.atomic():
            audit.log(service, LOG_SERVICE_DELETE, by=by, data={"name": service.name})
            service.delete()
    except ProtectedError:
        raise ValidationError(
            _("Cases were forwarded to this service: make it inactive instead of deleting it."),
            code="protected",
        ) from None
