"""The refusal every people service raises when the access policy says no."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def deny(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message, code="permission_denied")
