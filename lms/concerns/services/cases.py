"""The Infohus's handling of a case. So far: every read of a case is recorded (the audit trail
shown on the case)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from lms import audit
from lms.concerns import access
from lms.concerns.models import Concern
from lms.people.models import User

LOG_VIEW = "lms.concern.view"


def concern_read_record(*, by: User, concern: Concern) -> None:
    """Record that `by` opened the case. Refused for anyone who may not read it."""
    if not access.may_view_case(by, concern):
        raise PermissionDenied
    audit.log(concern, LOG_VIEW, by=by)
