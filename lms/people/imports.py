"""All-or-nothing imports of the organisation tree and the staff roster from CSV or XLSX.

Both imports read the whole file, validate every row against the file itself and the database and
collect every problem (with the row number the user sees in the file: the header is row 1) before
anything is written. Any problem means nothing is written. Otherwise all changes are applied in one
transaction. A dry run validates and counts without writing.

The roster import is built for HR files of 10,000+ rows: a constant number of queries (reference
data and existing people are loaded once, new people are bulk-created, changed people
bulk-updated, managers set in a second bulk pass, audit entries bulk-created).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import sqlite3
import uuid
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import log_actions
from wagtail.models import ModelLogEntry

from . import policy
from .models import JobCategory, OrgUnit, Person, User
from .signals import roles_changed_for_people

Source = str | os.PathLike | bytes | IO[bytes] | pd.DataFrame

ROSTER_REQUIRED_COLUMNS = ("employee_number", "name", "email", "org_unit_code", "job_category")
# Without this column the import leaves managers as they are.
ROSTER_OPTIONAL_COLUMNS = ("manager_employee_number",)
ORG_UNIT_COLUMNS = ("code", "name", "kind", "parent_code")

# Wagtail audit-log actions: code -> (model, label, message); registered in wagtail_hooks.py.
# Each entry's data is {"fields": [changed field names]}: names, never values (personal data).
LOG_ACTIONS = {
    "lms.person.import_create": (
        "Person",
        gettext_lazy("Create person by import"),
        gettext_lazy("Person created by import"),
    ),
    "lms.person.import_update": (
        "Person",
        gettext_lazy("Change person by import"),
        gettext_lazy("Person changed by import"),
    ),
    "lms.orgunit.import_create": (
        "OrgUnit",
        gettext_lazy("Create organisation unit by import"),
        gettext_lazy("Organisation unit created by import"),
    ),
    "lms.orgunit.import_update": (
        "OrgUnit",
        gettext_lazy("Change organisation unit by import"),
        gettext_lazy("Organisation unit changed by import"),
    ),
}

# Values of the "kind" column: our codes, their English labels and the Danish words HR uses.
_KIND_ALIASES = {
    "municipality": OrgUnit.Kind.MUNICIPALITY,
    "kommune": OrgUnit.Kind.MUNICIPALITY,
    "administration": OrgUnit.Kind.ADMINISTRATION,
    "forvaltning": OrgUnit.Kind.ADMINISTRATION,
    "police": OrgUnit.Kind.POLICE,
    "politi": OrgUnit.Kind.POLICE,
    "workplace": OrgUnit.Kind.WORKPLACE,
    "arbejdssted": OrgUnit.Kind.WORKPLACE,
    "institution": OrgUnit.Kind.INSTITUTION,
    "external institution": OrgUnit.Kind.INSTITUTION,
    "ekstern institution": OrgUnit.Kind.INSTITUTION,
    "partner": OrgUnit.Kind.PARTNER,
    "samarbejdspartner": OrgUnit.Kind.PARTNER,
}

_MAX_LENGTHS = {
    "employee_number": Person._meta.get_field("employee_number").max_length,
    "name": Person._meta.get_field("name").max_length,
    "email": Person._meta.get_field("email").max_length,
    "code": OrgUnit._meta.get_field("code").max_length,
    "unit_name": OrgUnit._meta.get_field("name").max_length,
}


# --- Results ------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int | None  # as the user sees it in the file: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("column %(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return str(self.message)


@dataclass
class Change:
    """One row of the preview: what the import does (or would do) to one person or unit."""

    row: int | None
    action: str  # "create", "update" or "left"
    key: str  # employee number or unit code
    name: str
    fields: list[str]


@dataclass
class ImportResult:
    errors: list[RowError]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    marked_left: int = 0
    dry_run: bool = False
    changes: list[Change] = field(default_factory=list, repr=False)
    kind: str = "roster"  # or "org_units"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated or self.marked_left)

    def summary(self) -> str:
        if self.errors:
            text = ngettext(
                "%(count)d error: nothing was saved.",
                "%(count)d errors: nothing was saved.",
                len(self.errors),
            ) % {"count": len(self.errors)}
            return text
        if not self.has_changes:
            text = _("No changes (%(unchanged)d unchanged).") % {"unchanged": self.unchanged}
        elif self.kind == "roster":
            text = _(
                "%(created)d created, %(updated)d changed, %(unchanged)d unchanged, "
                "%(marked_left)d marked as left"
            ) % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "marked_left": self.marked_left,
            }
        else:
            text = _("%(created)d created, %(updated)d changed, %(unchanged)d unchanged") % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
            }
        if self.dry_run:
            text = _("Dry run, nothing saved: %(summary)s") % {"summary": text}
        return text


class FileError(Exception):
    """The file as a whole cannot be used; carries the errors to report."""

    def __init__(self, *errors: RowError):
        self.errors = list(errors)


def _file_error(message: str) -> FileError:
    return FileError(RowError(row=None, column=None, message=message))


# --- Limits every import shares -----------------------------------------------------------------

# The most errors an import lists one by one; the rest are counted. A file with thousands of bad
# rows holds one systematic mistake, and a page listing every row of it helps nobody.
MAX_ERRORS_SHOWN = 100


def errors_shown(errors: list[RowError]) -> tuple[list[RowError], int]:
    """The errors to list (the first MAX_ERRORS_SHOWN) and how many more there are."""
    return errors[:MAX_ERRORS_SHOWN], max(len(errors) - MAX_ERRORS_SHOWN, 0)


def validate_import_size(upload) -> None:
    """The upload limit (LMS_IMPORT_MAX_BYTES) of every import form's file field."""
    if upload.size > settings.LMS_IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)s.")
            % {"size": filesizeformat(settings.LMS_IMPORT_MAX_BYTES)},
            code="file_too_large",
        )


# --- Reading ------------------------------------------------------------------------------------


@dataclass
class _Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number in the file, values by column)


def _cell(value: Any) -> str:
    """A cell as text. DataFrames from code may hold None, NaN or numbers."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _source_bytes(source: Source, filename: str | None) -> tuple[bytes, str | None]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        try:
            return path.read_bytes(), filename or path.name
        except OSError as exc:
            raise _file_error(
                _("The file could not be opened: %(reason)s") % {"reason": exc.strerror or exc}
            ) from exc
    # A file object, e.g. Django's UploadedFile.
    if hasattr(source, "seek"):
        try:
            source.seek(0)
        except (OSError, ValueError):
            pass
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data, filename or getattr(source, "name", None)


def _header_and_rows(frame: pd.DataFrame, first_row_number: int) -> _Table:
    """Turn a header-less frame (first row = header) into normalised columns and numbered rows."""
    if frame.empty:
        raise _file_error(_("The file is empty."))
    records = frame.to_numpy().tolist()
    header = [_cell(value).lower() for value in records[0]]
    seen: set[str] = set()
    duplicates = []
    for name in header:
        if name and name in seen:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        raise FileError(
            *(
                RowError(row=1, column=name, message=_("The column appears more than once."))
                for name in duplicates
            )
        )
    rows = []
    for offset, record in enumerate(records[1:], start=1):
        values = {name: _cell(value) for name, value in zip(header, record, strict=False) if name}
        if any(values.values()):  # blank lines are skipped, but keep their numbers
            rows.append((first_row_number + offset, values))
    return _Table(columns=[name for name in header if name], rows=rows)


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" is UTF-16 with a BOM; otherwise Excel and Danish HR systems write
    # UTF-8 (often with a BOM) or Windows-1252.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _unreadable() from None
    if b"\x00" in data:  # binary, not text
        raise _unreadable()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _unreadable()


def _unreadable() -> FileError:
    return _file_error(
        _(
            "The file could not be read. Upload a CSV file (UTF-8 or Windows-1252) or an Excel "
            "workbook (.xlsx)."
        )
    )


def _separator(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> _Table:
    text = _decode(data)
    if not text.strip():
        raise _file_error(_("The file is empty."))
    sep = _separator(text)
    # pandas silently shifts columns when a row has more values than the header (it takes the
    # first column as the index), so count the values per record first to report such rows.
    try:
        records = list(csv.reader(io.StringIO(text), delimiter=sep))
    except csv.Error as exc:
        raise _file_error(
            _("The file could not be read as CSV: %(reason)s") % {"reason": exc}
        ) from exc
    width = len(records[0])
    if not any(value.strip() for value in records[0]):
        raise _file_error(_("The first row must hold the column names."))
    ragged = [
        RowError(
            row=number,
            column=None,
            message=_("The row has %(values)d values but the header has %(columns)d columns.")
            % {"values": len(record), "columns": width},
        )
        for number, record in enumerate(records, start=1)
        if len(record) > width and any(value.strip() for value in record[width:])
    ]
    if ragged:
        raise FileError(*ragged)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=None,
                names=list(range(width)),
                index_col=False,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise _file_error(
            _("The file could not be read as CSV: %(reason)s") % {"reason": exc}
        ) from exc
    return _header_and_rows(frame, first_row_number=1)


def _read_xlsx(data: bytes) -> _Table:
    try:
        frame = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=str,
            keep_default_na=False,
            engine="openpyxl",
        )
    except Exception as exc:  # openpyxl raises many types for a corrupt workbook
        raise _file_error(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    return _header_and_rows(frame, first_row_number=1)


def _read_frame(frame: pd.DataFrame) -> _Table:
    header = pd.DataFrame([list(frame.columns)], columns=range(len(frame.columns)))
    body = pd.DataFrame(frame.to_numpy().tolist(), columns=range(len(frame.columns)))
    return _header_and_rows(pd.concat([header, body], ignore_index=True), first_row_number=1)


def read_table(source: Source, filename: str | None) -> _Table:
    if isinstance(source, pd.DataFrame):
        if len(source.columns) == 0:
            raise _file_error(_("The file is empty."))
        table = _read_frame(source)
    else:
        data, filename = _source_bytes(source, filename)
        if not data.strip():
            raise _file_error(_("The file is empty."))
        extension = Path(filename or "").suffix.lower()
        if data.startswith(b"\xd0\xcf\x11\xe0") or extension == ".xls":
            raise _file_error(
                _("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV.")
            )
        if data.startswith(b"PK\x03\x04") or extension in (".xlsx", ".xlsm"):
            table = _read_xlsx(data)
        else:
            table = _read_csv(data)
    if not table.rows:
        raise _file_error(_("The file has no data rows, only a header."))
    return table


def _missing_columns(table: _Table, required: Iterable[str]) -> list[RowError]:
    return [
        RowError(row=None, column=name, message=_("The column is missing from the file."))
        for name in required
        if name not in table.columns
    ]


def _failed(errors: list[RowError], *, dry_run: bool, kind: str) -> ImportResult:
    errors = sorted(errors, key=lambda error: error.row or 0)
    return ImportResult(errors=errors, dry_run=dry_run, kind=kind)


# --- Database helpers ---------------------------------------------------------------------------


@contextmanager
def _sqlite_real_parameter_limit() -> Iterator[None]:
    """Let Django batch bulk queries by SQLite's real parameter limit during the import.

    Django 5.2 assumes SQLite's historic 999 parameters and so splits a 10,000-row bulk_create
    into hundreds of queries; Django 6.0 asks the connection instead (ticket #36143). This does
    the same, for the duration of one import only.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    previous = features.__dict__.get("max_query_params")
    features.max_query_params = max(limit, 999)
    try:
        yield
    finally:
        if previous is None:
            del features.max_query_params
        else:
            features.max_query_params = previous


def _chunks(values: list, size: int | None = None) -> Iterator[list]:
    """Split IN-lists by the backend's parameter limit (one chunk for any realistic file)."""
    if size is None:
        size = connection.features.max_query_params or 30_000
        size = max(size - 10, 1)
    if not values:
        return
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _bulk_update(objs: list, fields: list[str]) -> None:
    """UPDATE ... FROM a list of values: one statement that joins on the primary key.

    Django's bulk_update builds one CASE WHEN pk = ... branch per row, which the database
    evaluates for every row: quadratic, about half a minute for 10,000 people. Joining a VALUES
    list (PostgreSQL, and SQLite since 3.33) is linear. Values go through the fields' own
    get_db_prep_save, as with Django's queries.
    """
    if not objs:
        return
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite") or (
        vendor == "sqlite" and sqlite3.sqlite_version_info < (3, 33)
    ):
        type(objs[0])._default_manager.bulk_update(objs, fields, batch_size=500)
        return
    meta = type(objs[0])._meta
    model_fields = [meta.pk] + [meta.get_field(name) for name in fields]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = [qn(f.column) for f in model_fields]
    if vendor == "postgresql":
        # The first row's casts give the VALUES columns their types (NULLs included).
        first = "(" + ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in model_fields)
        first += ")"
    else:
        first = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
    other = "(" + ", ".join(["%s"] * len(model_fields)) + ")"
    assignments = ", ".join(f'{column} = "v".{column}' for column in columns[1:])
    rows_per_query = max((connection.features.max_query_params or 10**9) // len(columns), 1)
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, rows_per_query):
            params = []
            for obj in chunk:
                params.extend(
                    f.get_db_prep_save(getattr(obj, f.attname), connection) for f in model_fields
                )
            values = ", ".join([first] + [other] * (len(chunk) - 1))
            cursor.execute(
                f'WITH "v" ({", ".join(columns)}) AS (VALUES {values}) '
                f'UPDATE {table} SET {assignments} FROM "v" '
                f'WHERE {table}.{columns[0]} = "v".{columns[0]}',
                params,
            )


def _refused(by: User | None, action: policy.Action, scope: OrgUnit | None) -> RowError | None:
    """The services check the policy themselves, so that a view's check is a second line, not
    the only one. `by=None` is the system (commands, the demo). Without a scope the file may
    touch the whole tree: only a superuser may do that."""
    if by is None:
        return None
    if scope is None:
        allowed = policy.may_create_root_unit(by)
    else:
        allowed = policy.can(by, action, scope)
    if allowed:
        return None
    return RowError(
        row=None,
        column=None,
        message=_("You may not import into this area. Nothing was changed."),
    )


def _in_scope(path: str, scope: OrgUnit | None) -> bool:
    return scope is None or path.startswith(scope.path)


def _person_label(pk: int) -> str:
    # The audit log outlives anonymisation, so its label never carries a name.
    return f"person #{pk}"


# --- The roster ---------------------------------------------------------------------------------


@dataclass
class _RosterRow:
    row: int
    employee_number: str
    name: str
    email: str
    org_unit_code: str
    job_category: str
    manager_number: str
    org_unit_id: int | None = None
    job_category_id: int | None = None
    existing: Person | None = None


def roster_import(
    *,
    source: Source,
    filename: str | None = None,
    by: User | None = None,
    dry_run: bool = False,
    mark_missing_as_left: bool = False,
    scope: OrgUnit | None = None,
) -> ImportResult:
    """Import the staff roster. All or nothing; see the module docstring.

    `scope` (an admin import by a coordinator): every org unit and every existing person the file
    touches must lie in that subtree, and only people in it are marked left when missing.

    `mark_missing_as_left` never reaches into external units (institutions, partners and their
    subtrees): their staff come from the institution's own list, not from the municipality's HR
    file. Only an import scoped to an external unit marks its people left. Without a scope it
    needs a tree with one top: with several (municipalities) one file cannot speak for all.
    """
    refused = _refused(by, policy.Action.PERSON_IMPORT, scope)
    if refused is not None:
        return _failed([refused], dry_run=dry_run, kind="roster")
    if mark_missing_as_left and scope is None and OrgUnit.get_root_nodes().count() > 1:
        return _failed(
            [
                RowError(
                    row=None,
                    column=None,
                    message=_(
                        "Marking missing people as left needs a scope when there is more than one "
                        "organisation at the top of the tree: choose the unit the file covers "
                        "(--scope CODE). Nothing was changed."
                    ),
                )
            ],
            dry_run=dry_run,
            kind="roster",
        )
    with _sqlite_real_parameter_limit():
        try:
            table = read_table(source, filename)
        except FileError as exc:
            return _failed(exc.errors, dry_run=dry_run, kind="roster")
        errors = _missing_columns(table, ROSTER_REQUIRED_COLUMNS)
        if errors:
            return _failed(errors, dry_run=dry_run, kind="roster")
        plan = _RosterPlan(table=table, scope=scope, mark_missing_as_left=mark_missing_as_left)
        plan.validate()
        if plan.errors:
            return _failed(plan.errors, dry_run=dry_run, kind="roster")
        result = plan.result(dry_run=dry_run)
        if not dry_run and result.has_changes:
            with transaction.atomic():
                plan.apply(by=by)
        return result


class _RosterPlan:
    def __init__(self, *, table: _Table, scope: OrgUnit | None, mark_missing_as_left: bool):
        self.table = table
        self.scope = scope
        self.mark_missing_as_left = mark_missing_as_left
        self.has_manager_column = "manager_employee_number" in table.columns
        self.errors: list[RowError] = []
        self.rows: list[_RosterRow] = []
        self.creates: list[_RosterRow] = []
        self.updates: list[tuple[_RosterRow, dict[str, Any]]] = []
        self.unchanged = 0
        self.leaving: list[Person] = []
        self.changes: list[Change] = []

    def error(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(RowError(row=row, column=column, message=message))

    # Loading ------------------------------------------------------------------------------------

    def _load(self) -> None:
        self.units: dict[str, tuple[int, str]] = {}
        self.external_paths: list[str] = []
        for pk, code, path, kind in OrgUnit.objects.values_list("pk", "code", "path", "kind"):
            self.units[code] = (pk, path)
            if kind in OrgUnit.EXTERNAL_KINDS:
                self.external_paths.append(path)
        self.categories: dict[str, int] = {}
        for pk, code, name in JobCategory.objects.values_list("pk", "code", "name"):
            self.categories.setdefault(code.lower(), pk)
            self.categories.setdefault(name.lower(), pk)
        people = Person.objects.only(
            "pk",
            "name",
            "email",
            "employee_number",
            "org_unit_id",
            "job_category_id",
            "manager_id",
            "active",
            "left_on",
            "anonymised_at",
        )
        if self.scope is None:
            self.people = list(people)
            outside: list[Person] = []
        else:
            self.people = list(people.filter(org_unit__path__startswith=self.scope.path))
            # Someone outside the scope may still hold an employee number or email address in the
            # file: such rows are refused, so they must be found.
            numbers = [
                row["employee_number"] for _n, row in self.table.rows if row.get("employee_number")
            ]
            emails = [row["email"].lower() for _n, row in self.table.rows if row.get("email")]
            managers = [
                row.get("manager_employee_number", "")
                for _n, row in self.table.rows
                if row.get("manager_employee_number")
            ]
            others = people.exclude(org_unit__path__startswith=self.scope.path)
            found: dict[int, Person] = {}
            for chunk in _chunks(sorted(set(numbers) | set(managers))):
                found.update((p.pk, p) for p in others.filter(employee_number__in=chunk))
            for chunk in _chunks(sorted(set(emails))):
                found.update(
                    (p.pk, p)
                    for p in others.annotate(email_lower=Lower("email")).filter(
                        email_lower__in=chunk
                    )
                )
            outside = list(found.values())
        self.outside_pks = {person.pk for person in outside}
        everyone = self.people + outside
        self.by_number = {p.employee_number: p for p in everyone if p.employee_number}
        self.by_email = {p.email.lower(): p for p in everyone}
        self.by_pk = {p.pk: p for p in everyone}

    # Validation ---------------------------------------------------------------------------------

    def validate(self) -> None:
        self._load()
        first_number: dict[str, int] = {}
        first_email: dict[str, int] = {}
        matched_pks: dict[int, int] = {}
        for number, values in self.table.rows:
            row = _RosterRow(
                row=number,
                employee_number=values.get("employee_number", ""),
                name=" ".join(values.get("name", "").split()),
                email=values.get("email", "").lower(),
                org_unit_code=values.get("org_unit_code", ""),
                job_category=values.get("job_category", ""),
                manager_number=values.get("manager_employee_number", ""),
            )
            self._validate_row(row, first_number, first_email, matched_pks)
            self.rows.append(row)
        self.in_file = {row.employee_number: row for row in self.rows if row.employee_number}
        self._validate_managers()

    def _validate_row(self, row, first_number, first_email, matched_pks) -> None:
        n = row.row
        for column, value in (
            ("employee_number", row.employee_number),
            ("name", row.name),
            ("email", row.email),
            ("org_unit_code", row.org_unit_code),
        ):
            if not value:
                self.error(n, column, _("A value is required."))
        for column, value, limit in (
            ("employee_number", row.employee_number, _MAX_LENGTHS["employee_number"]),
            ("name", row.name, _MAX_LENGTHS["name"]),
            ("email", row.email, _MAX_LENGTHS["email"]),
        ):
            if len(value) > limit:
                self.error(
                    n,
                    column,
                    _("The value is longer than %(limit)d characters.") % {"limit": limit},
                )

        if row.employee_number:
            if row.employee_number in first_number:
                self.error(
                    n,
                    "employee_number",
                    _("The employee number %(value)s also appears in row %(row)d.")
                    % {"value": row.employee_number, "row": first_number[row.employee_number]},
                )
            else:
                first_number[row.employee_number] = n

        email_ok = False
        if row.email:
            try:
                validate_email(row.email)
                email_ok = True
            except ValidationError:
                self.error(
                    n, "email", _("%(value)s is not a valid email address.") % {"value": row.email}
                )
            if row.email in first_email:
                self.error(
                    n,
                    "email",
                    _("The email address %(value)s also appears in row %(row)d.")
                    % {"value": row.email, "row": first_email[row.email]},
                )
            else:
                first_email[row.email] = n

        if row.org_unit_code:
            unit = self.units.get(row.org_unit_code)
            if unit is None:
                self.error(
                    n,
                    "org_unit_code",
                    _("There is no organisation unit with the code %(value)s.")
                    % {"value": row.org_unit_code},
                )
            elif not _in_scope(unit[1], self.scope):
                self.error(
                    n,
                    "org_unit_code",
                    _("The organisation unit %(value)s is outside the area you may import into.")
                    % {"value": row.org_unit_code},
                )
            else:
                row.org_unit_id = unit[0]

        if row.job_category:
            row.job_category_id = self.categories.get(row.job_category.lower())
            if row.job_category_id is None:
                self.error(
                    n,
                    "job_category",
                    _("There is no job category with the code or name %(value)s.")
                    % {"value": row.job_category},
                )

        if row.manager_number and row.manager_number == row.employee_number:
            self.error(n, "manager_employee_number", _("A person cannot be their own manager."))

        self._match(row, email_ok=email_ok, matched_pks=matched_pks)

    def _match(self, row: _RosterRow, *, email_ok: bool, matched_pks: dict[int, int]) -> None:
        """Find the existing person for the row: by employee number, else by email address."""
        n = row.row
        person = self.by_number.get(row.employee_number) if row.employee_number else None
        owner = self.by_email.get(row.email) if email_ok else None
        if person is None and owner is not None:
            if owner.employee_number:
                self.error(
                    n,
                    "email",
                    self._taken_message(owner),
                )
                return
            person = owner  # entered by hand, without an employee number: the file adopts it
        elif person is not None and owner is not None and owner.pk != person.pk:
            self.error(n, "email", self._taken_message(owner))
        if person is None:
            return
        if person.pk in self.outside_pks:
            self.error(
                n,
                "employee_number",
                _("This person belongs to a unit outside the area you may import into."),
            )
            return
        if person.pk in matched_pks:
            # Two rows match one person (one by number, one by email): already reported above.
            return
        matched_pks[person.pk] = n
        row.existing = person

    def _taken_message(self, owner: Person) -> str:
        if owner.pk in self.outside_pks or not owner.employee_number:
            return _("The email address is already used by another person.")
        return _(
            "The email address is already used by another person (employee number %(number)s)."
        ) % {"number": owner.employee_number}

    def _validate_managers(self) -> None:
        if not self.has_manager_column:
            # Managers stay as they are; only a cycle through existing data could matter and the
            # import does not change any manager, so there is nothing to check.
            return
        in_file = self.in_file
        for row in self.rows:
            m = row.manager_number
            if not m or m == row.employee_number or m in in_file:
                continue
            manager = self.by_number.get(m)
            if manager is None or manager.pk in self.outside_pks:
                self.error(
                    row.row,
                    "manager_employee_number",
                    _(
                        "There is no person with the employee number %(value)s, in the file or in "
                        "the roster."
                    )
                    % {"value": m},
                )
        self._find_manager_cycles(in_file)

    def _find_manager_cycles(self, in_file: dict[str, _RosterRow]) -> None:
        """Every person has at most one manager, so follow each chain once (linear time)."""
        matched = {row.existing.pk: row for row in self.rows if row.existing is not None}

        def node_of_pk(pk):
            if pk in matched:
                return ("row", matched[pk].employee_number)
            return ("db", pk) if pk in self.by_pk else None

        def next_node(node):
            kind, key = node
            if kind == "row":
                m = in_file[key].manager_number
                if not m or m == key:  # self-management is reported per row
                    return None
                if m in in_file:
                    return ("row", m)
                manager = self.by_number.get(m)
                return node_of_pk(manager.pk) if manager else None
            manager_id = self.by_pk[key].manager_id
            return node_of_pk(manager_id) if manager_id else None

        def label(node):
            kind, key = node
            return key if kind == "row" else (self.by_pk[key].employee_number or f"#{key}")

        state: dict[tuple, int] = {}  # 1: on the current path, 2: done
        for start in [("row", number) for number in in_file]:
            path = []
            node = start
            while node is not None and node not in state:
                state[node] = 1
                path.append(node)
                node = next_node(node)
            if node is not None and state.get(node) == 1:
                cycle = path[path.index(node) :]
                text = " \u2192 ".join(label(each) for each in [*cycle, node])
                for member in cycle:
                    if member[0] == "row":
                        self.error(
                            in_file[member[1]].row,
                            "manager_employee_number",
                            _("The managers form a cycle: %(cycle)s.") % {"cycle": text},
                        )
            for visited in path:
                state[visited] = 2

    # Planning -----------------------------------------------------------------------------------

    def _target_manager(self, row: _RosterRow) -> tuple[str, Any] | None:
        """("pk", id) for someone who exists, ("new", number) for someone the import creates."""
        m = row.manager_number
        if not m:
            return None
        other = self.in_file.get(m)
        if other is not None:
            return ("new", m) if other.existing is None else ("pk", other.existing.pk)
        return ("pk", self.by_number[m].pk)

    def result(self, *, dry_run: bool) -> ImportResult:
        for row in self.rows:
            if row.existing is None:
                self.creates.append(row)
                self.changes.append(
                    Change(row.row, "create", row.employee_number, row.name, _created_fields(row))
                )
                continue
            person = row.existing
            changed: dict[str, Any] = {}
            for name, value in (
                ("employee_number", row.employee_number),
                ("name", row.name),
                ("email", row.email),
                ("org_unit_id", row.org_unit_id),
                ("job_category_id", row.job_category_id),
            ):
                if getattr(person, name) != value:
                    changed[name] = value
            if not person.active:
                changed["active"] = True
                changed["left_on"] = None
            if self.has_manager_column:
                target = self._target_manager(row)
                if target is None and person.manager_id is not None:
                    changed["manager_id"] = None
                elif target is not None and (target[0] == "new" or target[1] != person.manager_id):
                    changed["manager_id"] = target
            if changed:
                self.updates.append((row, changed))
                self.changes.append(
                    Change(row.row, "update", row.employee_number, row.name, _field_names(changed))
                )
            else:
                self.unchanged += 1
        if self.mark_missing_as_left:
            matched = {row.existing.pk for row in self.rows if row.existing is not None}
            external = self._external_unit_ids()
            self.leaving = [
                p
                for p in self.people
                if p.active
                and p.pk not in matched
                and p.anonymised_at is None
                and p.org_unit_id not in external
            ]
            self.changes.extend(
                Change(None, "left", p.employee_number, p.name, ["active", "left_on"])
                for p in self.leaving
            )
        return ImportResult(
            errors=[],
            created=len(self.creates),
            updated=len(self.updates),
            unchanged=self.unchanged,
            marked_left=len(self.leaving),
            dry_run=dry_run,
            changes=self.changes,
            kind="roster",
        )

    def _external_unit_ids(self) -> set[int]:
        """The units whose people this import may not mark left: external units (institution,
        partner) and everything below them, unless the scope itself lies in such a subtree."""
        roots = self.external_paths
        if self.scope is not None and any(self.scope.path.startswith(r) for r in roots):
            return set()
        return {pk for pk, path in self.units.values() if any(path.startswith(r) for r in roots)}

    # Applying -----------------------------------------------------------------------------------

    def apply(self, *, by: User | None) -> None:
        now = timezone.now()
        today = timezone.localdate()
        new_people = [
            Person(
                employee_number=row.employee_number,
                name=row.name,
                email=row.email,
                org_unit_id=row.org_unit_id,
                job_category_id=row.job_category_id,
                active=True,
            )
            for row in self.creates
        ]
        Person.objects.bulk_create(new_people)
        pk_by_number = {p.employee_number: p.pk for p in new_people}
        pk_by_number.update(
            {row.employee_number: row.existing.pk for row in self.rows if row.existing}
        )

        def resolve(target):
            if target is None:
                return None
            kind, key = target
            return pk_by_number[key] if kind == "new" else key

        # First pass: everything but managers, which may point at people created just now.
        changed_people = []
        update_fields: set[str] = set()
        for row, changed in self.updates:
            person = row.existing
            for name, value in changed.items():
                if name != "manager_id":
                    setattr(person, name, value)
                    update_fields.add(name.removesuffix("_id"))
            person.updated_at = now
            changed_people.append(person)
        if update_fields:
            _bulk_update(changed_people, sorted(update_fields | {"updated_at"}))

        # Second pass: managers, for new people and for changed existing ones.
        with_manager = []
        for row, person in zip(self.creates, new_people, strict=True):
            if row.manager_number:
                person.manager_id = resolve(self._target_manager(row))
                with_manager.append(person)
        for row, changed in self.updates:
            if "manager_id" in changed:
                row.existing.manager_id = resolve(changed["manager_id"])
                with_manager.append(row.existing)
        if with_manager:
            _bulk_update(with_manager, ["manager", "updated_at"])

        if self.leaving:
            for chunk in _chunks([p.pk for p in self.leaving]):
                Person.objects.filter(pk__in=chunk, active=True).update(
                    active=False, left_on=today, updated_at=now
                )
        # The roles of people who left stop counting; those of people who came back count again.
        returning = [row.existing.pk for row, changed in self.updates if "active" in changed]
        if self.leaving or returning:
            roles_changed_for_people([p.pk for p in self.leaving] + returning)

        self._audit(by=by, now=now, new_people=new_people)

    def _audit(self, *, by: User | None, now, new_people: list[Person]) -> None:
        """One Wagtail log entry per created or changed person, written in bulk."""
        content_type = ContentType.objects.get_for_model(Person)
        batch = uuid.uuid4()
        user_id = by.pk if by is not None else None

        def entry(pk: int, action: str, fields: list[str]) -> ModelLogEntry:
            return ModelLogEntry(
                content_type=content_type,
                label=_person_label(pk),
                object_id=str(pk),
                action=action,
                data={"fields": fields},
                timestamp=now,
                uuid=batch,
                user_id=user_id,
                content_changed=True,
            )

        entries = [
            entry(person.pk, "lms.person.import_create", _created_fields(row))
            for row, person in zip(self.creates, new_people, strict=True)
        ]
        entries += [
            entry(row.existing.pk, "lms.person.import_update", _field_names(changed))
            for row, changed in self.updates
        ]
        entries += [
            entry(p.pk, "lms.person.import_update", ["active", "left_on"]) for p in self.leaving
        ]
        ModelLogEntry.objects.bulk_create(entries)


def _field_names(changed: dict[str, Any]) -> list[str]:
    return [name.removesuffix("_id") for name in changed]


def _created_fields(row: _RosterRow) -> list[str]:
    fields = ["employee_number", "name", "email", "org_unit"]
    if row.job_category_id:
        fields.append("job_category")
    if row.manager_number:
        fields.append("manager")
    return fields


# --- The organisation tree ----------------------------------------------------------------------


@dataclass
class _UnitRow:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    existing: OrgUnit | None = None


def org_units_import(
    *,
    source: Source,
    filename: str | None = None,
    by: User | None = None,
    dry_run: bool = False,
    scope: OrgUnit | None = None,
) -> ImportResult:
    """Import the organisation tree (code, name, kind, parent_code). All or nothing.

    Units are matched by code; a row renames, re-kinds or moves an existing unit. `scope` (an
    admin import by a coordinator): every unit the file creates or changes, and every new parent,
    must lie in that subtree.
    """
    refused = _refused(by, policy.Action.ORGUNIT_MANAGE, scope)
    if refused is not None:
        return _failed([refused], dry_run=dry_run, kind="org_units")
    try:
        table = read_table(source, filename)
    except FileError as exc:
        return _failed(exc.errors, dry_run=dry_run, kind="org_units")
    errors = _missing_columns(table, ORG_UNIT_COLUMNS)
    if errors:
        return _failed(errors, dry_run=dry_run, kind="org_units")

    units = {unit.code: unit for unit in OrgUnit.objects.all()}
    by_path = {unit.path: unit for unit in units.values()}
    current_parent = {
        unit.code: (by_path[unit.path[: -OrgUnit.steplen]].code if unit.depth > 1 else "")
        for unit in units.values()
    }
    rows: list[_UnitRow] = []
    errors = []

    def error(row, column, message):
        errors.append(RowError(row=row, column=column, message=message))

    first_code: dict[str, int] = {}
    for number, values in table.rows:
        row = _UnitRow(
            row=number,
            code=values.get("code", ""),
            name=" ".join(values.get("name", "").split()),
            kind=values.get("kind", ""),
            parent_code=values.get("parent_code", ""),
        )
        for column, value in (("code", row.code), ("name", row.name), ("kind", row.kind)):
            if not value:
                error(number, column, _("A value is required."))
        if len(row.code) > _MAX_LENGTHS["code"]:
            error(
                number,
                "code",
                _("The value is longer than %(limit)d characters.")
                % {"limit": _MAX_LENGTHS["code"]},
            )
        if len(row.name) > _MAX_LENGTHS["unit_name"]:
            error(
                number,
                "name",
                _("The value is longer than %(limit)d characters.")
                % {"limit": _MAX_LENGTHS["unit_name"]},
            )
        if row.kind:
            kind = _kind_of(row.kind)
            if kind is None:
                error(
                    number,
                    "kind",
                    _("Unknown kind %(value)s. Use one of: %(choices)s.")
                    % {"value": row.kind, "choices": ", ".join(_kind_choices())},
                )
            else:
                row.kind = kind.value
        if row.code:
            if row.code in first_code:
                error(
                    number,
                    "code",
                    _("The code %(value)s also appears in row %(row)d.")
                    % {"value": row.code, "row": first_code[row.code]},
                )
                continue
            first_code[row.code] = number
            row.existing = units.get(row.code)
        if row.parent_code and row.parent_code == row.code:
            error(number, "parent_code", _("A unit cannot be its own parent."))
        rows.append(row)

    in_file = {row.code: row for row in rows if row.code}
    for row in rows:
        if row.parent_code and row.parent_code not in in_file and row.parent_code not in units:
            error(
                row.row,
                "parent_code",
                _(
                    "There is no organisation unit with the code %(value)s, in the file or in "
                    "the tree."
                )
                % {"value": row.parent_code},
            )

    def parent_of(code: str) -> str:
        if code in in_file:
            parent = in_file[code].parent_code
            return "" if parent == code else parent
        return current_parent.get(code, "")

    # Parent cycles (A under B under A), and each unit's depth in the resulting tree.
    depth: dict[str, int] = {}
    for row in rows:
        if not row.code or row.code in depth:
            continue
        path = []
        code = row.code
        while code and code not in depth and code not in path:
            if code not in in_file and code not in units:
                break  # an unknown parent, reported above
            path.append(code)
            code = parent_of(code)
        if code and code in path:
            cycle = path[path.index(code) :]
            text = " \u2192 ".join([*cycle, code])
            for member in cycle:
                if member in in_file:
                    error(
                        in_file[member].row,
                        "parent_code",
                        _("The parents form a cycle: %(cycle)s.") % {"cycle": text},
                    )
                depth[member] = 0
            path = path[: path.index(code)]
        base = depth.get(code, 0) if code else 0
        for offset, member in enumerate(reversed(path), start=1):
            depth[member] = base + offset

    if scope is not None:
        for row in rows:
            if not row.code:
                continue
            if row.existing is not None and not _in_scope(row.existing.path, scope):
                error(
                    row.row,
                    "code",
                    _("The organisation unit %(value)s is outside the area you may import into.")
                    % {"value": row.code},
                )
                continue
            keeps_parent = row.existing is not None and row.parent_code == current_parent.get(
                row.code
            )
            if keeps_parent:
                continue
            if not row.parent_code:
                error(
                    row.row,
                    "parent_code",
                    _("A unit at the top of the tree is outside the area you may import into."),
                )
            elif row.parent_code in units and row.parent_code not in in_file:
                if not _in_scope(units[row.parent_code].path, scope):
                    error(
                        row.row,
                        "parent_code",
                        _(
                            "The organisation unit %(value)s is outside the area you may import "
                            "into."
                        )
                        % {"value": row.parent_code},
                    )

    if errors:
        return _failed(errors, dry_run=dry_run, kind="org_units")

    result = ImportResult(errors=[], dry_run=dry_run, kind="org_units")
    plan: list[tuple[_UnitRow, list[str]]] = []
    for row in sorted(rows, key=lambda r: depth.get(r.code, 0)):
        if row.existing is None:
            result.created += 1
            result.changes.append(
                Change(row.row, "create", row.code, row.name, ["code", "name", "kind", "parent"])
            )
            plan.append((row, []))
            continue
        changed = [
            name
            for name, value in (("name", row.name), ("kind", row.kind))
            if getattr(row.existing, name) != value
        ]
        if row.parent_code != current_parent.get(row.code):
            changed.append("parent")
        if changed:
            result.updated += 1
            result.changes.append(Change(row.row, "update", row.code, row.name, changed))
            plan.append((row, changed))
        else:
            result.unchanged += 1
    result.changes.sort(key=lambda change: change.row or 0)
    if dry_run or not plan:
        return result
    with transaction.atomic(), log_actions.LogContext(user=by):
        for row, changed in plan:
            _apply_unit(row, changed, by=by)
    return result


def _apply_unit(row: _UnitRow, changed: list[str], *, by: User | None) -> None:
    """One node at a time: the file is small, and treebeard rewrites paths on every move."""
    parent = OrgUnit.objects.get(code=row.parent_code) if row.parent_code else None
    if row.existing is None:
        fields = {"code": row.code, "name": row.name, "kind": row.kind}
        unit = parent.add_child(**fields) if parent else OrgUnit.add_root(**fields)
        log_actions.log(
            unit,
            "lms.orgunit.import_create",
            user=by,
            data={"fields": ["code", "name", "kind", "parent"]},
        )
        return
    unit = OrgUnit.objects.get(pk=row.existing.pk)
    if "name" in changed or "kind" in changed:
        unit.name = row.name
        unit.kind = row.kind
        unit.save(update_fields=["name", "kind"])
    if "parent" in changed or "name" in changed:
        # A rename re-sorts the unit among its siblings too (node_order_by = name).
        unit = OrgUnit.objects.get(pk=unit.pk)
        if parent is None:
            unit.move(OrgUnit.get_first_root_node(), pos="sorted-sibling")
        else:
            unit.move(parent, pos="sorted-child")
        unit = OrgUnit.objects.get(pk=unit.pk)
    log_actions.log(unit, "lms.orgunit.import_update", user=by, data={"fields": changed})


def _kind_choices() -> list[str]:
    with translation.override("da"):
        danish = [str(label).lower() for _value, label in OrgUnit.Kind.choices]
    return [value for value, _label in OrgUnit.Kind.choices] + danish


def _kind_of(text: str) -> OrgUnit.Kind | None:
    """Our code, the label in English or Danish, or a Danish word HR systems use."""
    wanted = " ".join(text.lower().split())
    if wanted in _KIND_ALIASES:
        return _KIND_ALIASES[wanted]
    for language in ("da", "en"):
        with translation.override(language):
            for value, label in OrgUnit.Kind.choices:
                if str(label).lower() == wanted:
                    return OrgUnit.Kind(value)
    return None


# --- Stored uploads -----------------------------------------------------------------------------

IMPORT_FILE_MAX_AGE = dt.timedelta(hours=24)


def import_files_delete_stale(*, now: dt.datetime | None = None) -> int:
    """Delete uploaded import files older than IMPORT_FILE_MAX_AGE from the private "imports"
    storage: previews that were never confirmed or discarded. Idempotent; returns how many."""
    storage = storages["imports"]
    cutoff = (now or timezone.now()) - IMPORT_FILE_MAX_AGE
    try:
        _folders, names = storage.listdir("")
    except FileNotFoundError:
        # Nothing was ever uploaded (the folder is made by the first save).
        return 0
    deleted = 0
    for name in names:
        try:
            stale = storage.get_modified_time(name) < cutoff
        except FileNotFoundError:
            continue  # removed meanwhile, by the preview that owned it
        if stale:
            storage.delete(name)
            deleted += 1
    return deleted
