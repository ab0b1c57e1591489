"""The one entry point for the audit log.

Every service logs its change here, on top of Wagtail's log (`wagtail.log_actions`), so that staff
see it in the admin's history and reports. An entry names the row by its type and id
("person #12"), never by its text: a name or an email address in the label would outlive the
anonymisation of the person. A row whose text is no one's personal data (an organisation unit, a
competence) may pass its own `title`.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.utils import timezone
from wagtail import log_actions

__all__ = ["label", "log", "log_many"]


def label(model: type[Model] | Model, pk: Any) -> str:
    """The label of a row in the log: its type and id, no personal data ("person #12")."""
    return f"{model._meta.verbose_name_raw} #{pk}"


def log(
    instance: Model,
    action: str,
    *,
    by: Any | None,
    data: Mapping[str, Any] | None = None,
    title: str | None = None,
    validate: bool = True,
) -> None:
    """Log `action` (a registered action code, "lms.<thing>.<verb>") on `instance` by the user
    `by` (None: the system itself, or the user of an active `log_actions.LogContext`).

    validate=False writes the same row without Wagtail's `full_clean()`, whose foreign-key checks
    cost two database round trips: for a hot path (a sign-up, under its meeting's lock) whose
    `instance` and `by` were just read from or written to the database. The action must still be
    registered (checked in memory)."""
    if not validate and _log_trusted(instance, action, by=by, data=data, title=title):
        return
    log_actions.log(
        instance=instance,
        action=action,
        user=by,
        data=dict(data or {}),
        title=title or label(instance, instance.pk),
    )


def _log_trusted(
    instance: Model,
    action: str,
    *,
    by: Any | None,
    data: Mapping[str, Any] | None,
    title: str | None,
) -> bool:
    """The row Wagtail's log_action() writes, in one INSERT and no validation query; False when
    the ordinary path must write it (a page's log names its page by a foreign key)."""
    registry = log_actions.registry
    log_model = registry.get_log_model_for_instance(instance)
    if log_model is None:  # as log_actions.log: no log for this type of row
        return True
    if not any(f.name == "object_id" for f in log_model._meta.concrete_fields):
        return False
    if instance.pk is None:
        raise ValueError(f"cannot log {action} for an unsaved {instance!r}")
    if not registry.action_exists(action):
        raise ValueError(f"the log action {action!r} has not been registered")
    context = log_actions.get_active_log_context()
    user = by or context.user
    log_model.objects.bulk_create(
        [
            log_model(
                content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
                object_id=str(instance.pk),
                label=title or label(instance, instance.pk),
                action=action,
                data=dict(data or {}),
                timestamp=timezone.now(),
                uuid=context.uuid,
                user_id=user.pk if user is not None else None,
            )
        ]
    )
    return True


def log_many(
    model: type[Model],
    entries: Iterable[tuple[Any, str, Mapping[str, Any]]],
    *,
    by: Any | None,
    content_changed: bool = False,
    timestamp: dt.datetime | None = None,
) -> int:
    """The rows `log()` writes, one per (pk, action, data), in one INSERT: for a change to many
    rows at once (an import, the retention run). All entries share one uuid, as one action."""
    log_model = log_actions.registry.get_log_model_for_model(model)
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    batch = uuid_module.uuid4()
    now = timestamp or timezone.now()
    rows = [
        log_model(
            content_type=content_type,
            object_id=str(pk),
            label=label(model, pk),
            action=action,
            data=dict(data),
            timestamp=now,
            uuid=batch,
            user_id=by.pk if by is not None else None,
            content_changed=content_changed,
        )
        for pk, action, data in entries
    ]
    log_model.objects.bulk_create(rows)
    return len(rows)
