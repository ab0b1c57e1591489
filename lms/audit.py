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
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from wagtail import log_actions

__all__ = ["label", "log", "log_many", "log_sql"]


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


def _checked_log_model(model: type[Model], action: str) -> type[Model] | None:
    """The log model for rows of `model` (None: no log for them), after checking in memory that
    `action` has been registered, as Wagtail's log_action() does."""
    registry = log_actions.registry
    log_model = registry.get_log_model_for_model(model)
    if log_model is not None and not registry.action_exists(action):
        raise ValueError(f"the log action {action!r} has not been registered")
    return log_model


def _row(
    log_model: type[Model],
    model: type[Model] | Model,
    pk: Any,
    action: str,
    *,
    user: Any | None,
    data: Mapping[str, Any] | None,
    title: str | None = None,
    uuid: uuid_module.UUID | None,
    timestamp: dt.datetime,
    content_changed: bool = False,
) -> Model:
    """The log entry of `action` on the row `pk` of `model`: the one place its fields are built
    (log(validate=False), log_many() and log_sql() write exactly this)."""
    return log_model(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id=str(pk),
        label=title or label(model, pk),
        action=action,
        data=dict(data or {}),
        timestamp=timestamp,
        uuid=uuid,
        user_id=user.pk if user is not None else None,
        content_changed=content_changed,
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
    log_model = log_actions.registry.get_log_model_for_instance(instance)
    if log_model is None:  # as log_actions.log: no log for this type of row
        return True
    if not any(f.name == "object_id" for f in log_model._meta.concrete_fields):
        return False
    if instance.pk is None:
        raise ValueError(f"cannot log {action} for an unsaved {instance!r}")
    _checked_log_model(type(instance), action)
    context = log_actions.get_active_log_context()
    row = _row(
        log_model,
        instance,
        instance.pk,
        action,
        user=by or context.user,
        data=data,
        title=title,
        uuid=context.uuid,
        timestamp=timezone.now(),
    )
    log_model.objects.bulk_create([row])
    return True


# The stand-in for the logged row's id in the entries log_sql() builds, which its SQL replaces by
# the id: one per process, so that the SQL of a kind of entry is the same text every time (built
# once, and prepared by the database once) and no data can hold it by chance.
_PK_MARKER = f"<pk {uuid_module.uuid4().hex}>"


class _SqlShape:
    """The SQL log_sql() returns for one kind of entry, and how each field's value becomes its
    parameter: built once per (log model, pk, source, data_sql, prefix), since the casts and the
    text cost more CPU than the rest of a sign-up's Python (django's cast_db_type() per field)."""

    def __init__(self, log_model, row, *, pk: str, source: str, data_sql, prefix: str):
        quote = connection.ops.quote_name
        columns, values = [], []
        self.fields: list[tuple[Any, bool]] = []  # (field, its value holds the marker)
        self.constants: dict[str, Any] = {}
        self.prefix = prefix
        count = 0

        def param(cast: str, value: Any = None, *, constant: bool = False) -> str:
            nonlocal count
            name = f"{prefix}{count}"
            count += 1
            if constant:
                self.constants[name] = value
            return f"%({name})s::{cast}"

        for field in log_model._meta.concrete_fields:
            if field.primary_key:
                continue
            value = field.get_db_prep_save(getattr(row, field.attname), connection)
            cast = field.cast_db_type(connection)
            marked = isinstance(value, str) and _PK_MARKER in value
            self.fields.append((field, marked))
            if marked:
                marker = param("text", _PK_MARKER, constant=True)
                sql = f"replace({param('text')}, {marker}, ({pk})::text)"
            else:
                sql = param(cast)
            if field.attname == "data" and data_sql:
                pairs = ", ".join(
                    f"{param('text', key, constant=True)}, {expr}" for key, expr in data_sql.items()
                )
                sql = f"{sql} || jsonb_build_object({pairs})"
            columns.append(quote(field.column))
            values.append(sql)
        table = quote(log_model._meta.db_table)
        self.sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"
        )
        # The names of the fields' own parameters, in the order param() gave them out.
        taken = sorted(int(name[len(prefix) :]) for name in self.constants)
        names = (f"{prefix}{n}" for n in range(count) if n not in taken)
        self.names = list(names)

    def params(self, row) -> dict[str, Any] | None:
        """The parameters of `row`; None if a value holds the marker where the shape has none
        (or not where it has one): then the shape does not fit, and the caller builds anew."""
        params = dict(self.constants)
        for name, (field, marked) in zip(self.names, self.fields, strict=True):
            value = field.get_db_prep_save(getattr(row, field.attname), connection)
            if (isinstance(value, str) and _PK_MARKER in value) != marked:
                return None
            params[name] = value
        return params


_sql_shapes: dict[tuple, _SqlShape] = {}


def log_sql(
    model: type[Model],
    action: str,
    *,
    pk: str,
    source: str,
    by: Any | None,
    data: Mapping[str, Any] | None = None,
    data_sql: Mapping[str, str] | None = None,
    prefix: str = "audit_",
) -> tuple[str, dict[str, Any]]:
    """(sql, params) of an INSERT that writes the row log(validate=False) would write for a row
    of `model` inserted by the same statement, for each row of `source` (a name the statement
    defines, as a CTE): for a hot path that must write its row and the row's log entry in one
    statement (a sign-up, which holds its meeting's lock only while that statement runs).

    `pk` is the SQL of the logged row's id in `source`; `data_sql` maps keys of the entry's data
    to SQL of `source` whose value they take (a status the statement decides). The entry is
    built by the same code as log()'s (_row), with a marker for the id that the SQL replaces:
    label and object id are log()'s. The params are named (%(<prefix>...)s) so that the caller's
    named params can go with them. The SQL is the same text for every entry of a kind (so a
    statement that holds it can be prepared once); only the params change. PostgreSQL only
    (jsonb)."""
    log_model = _checked_log_model(model, action)
    if log_model is None or not any(f.name == "object_id" for f in log_model._meta.concrete_fields):
        raise ValueError(f"{model.__name__} is not logged by id")
    context = log_actions.get_active_log_context()
    row = _row(
        log_model,
        model,
        _PK_MARKER,
        action,
        user=by or context.user,
        data=data,
        uuid=context.uuid,
        timestamp=timezone.now(),
    )
    key = (log_model, pk, source, tuple((data_sql or {}).items()), prefix)
    shape = _sql_shapes.get(key)
    params = shape.params(row) if shape is not None else None
    if params is None:
        shape = _SqlShape(log_model, row, pk=pk, source=source, data_sql=data_sql, prefix=prefix)
        params = shape.params(row)
        if len(_sql_shapes) < 100:  # a few kinds of entries; never grows without end
            _sql_shapes[key] = shape
    return shape.sql, params


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
    batch = uuid_module.uuid4()
    now = timestamp or timezone.now()
    rows = [
        _row(
            log_model,
            model,
            pk,
            action,
            user=by,
            data=data,
            uuid=batch,
            timestamp=now,
            content_changed=content_changed,
        )
        for pk, action, data in entries
    ]
    log_model.objects.bulk_create(rows)
    return len(rows)
