"""What a change to a model instance looks like in the audit log (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def fk_value(value):
    return getattr(value, "pk", value)


def changes_apply(instance, fields: dict[str, Any], personal: frozenset[str]) -> dict[str, Any]:
    """Apply `fields` to `instance` and describe what changed for the audit log: every changed
    field by name, and old -> new only for fields that are not personal data."""
    names: list[str] = []
    values: dict[str, dict[str, Any]] = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if fk_value(old) == fk_value(new):
            continue
        setattr(instance, name, new)
        names.append(name)
        if name not in personal:
            values[name] = {"old": value_json(old), "new": value_json(new)}
    return {"fields": names, "values": values} if names else {}


def value_json(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value
