"""What a change to a model instance looks like in the audit log (pure functions, no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def value_json(value):
    """A value as the audit log stores it: a date in ISO format, a model instance as its pk."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "pk", value)


def fields_apply(instance, fields: dict[str, Any]) -> dict[str, Any]:
    """Set `fields` on `instance`; the audit-log description of what changed (old -> new)."""
    changed: dict[str, Any] = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if value_json(old) != value_json(new):
            setattr(instance, name, new)
            changed[name] = {"old": value_json(old), "new": value_json(new)}
    return {"fields": list(changed), "values": changed} if changed else {}
