"""All-or-nothing import of the staff roster from CSV or XLSX.

The import reads the whole file, validates every row against the file itself and the database and
collects every problem (with the row number the user sees in the file: the header is row 1) before
anything is written. Any problem means nothing is written. Otherwise all changes are applied in one
transaction. A dry run validates and counts without writing.

The roster import is built for HR files of 10,000+ rows: a constant number of queries (reference
data and existing people are loaded once, new people are bulk-created, changed people
bulk-updated, managers set in a second bulk pass, audit entries bulk-created).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, Person, User
from lms.people.services.imports import import_failed, import_refused, in_scope
from lms.people.signals import roles_changed_for_people
from lms.tabular import (
    Change,
    FileError,
    ImportResult,
    RowError,
    Source,
    Table,
    missing_columns,
    read_table,
)

ROSTER_REQUIRED_COLUMNS = ("employee_number", "name", "email", "org_unit_code", "job_category")
# Without this column the import leaves managers as they are.
ROSTER_OPTIONAL_COLUMNS = ("manager_employee_number",)

_MAX_LENGTHS = {
    "employee_number": Person._meta.get_field("employee_number").max_length,
    "name": Person._meta.get_field("name").max_length,
    "email": Person._meta.get_field("email").max_length,
}


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
    refused = import_refused(by, policy.Action.PERSON_IMPORT, scope)
    if refused is not None:
        return import_failed([refused], dry_run=dry_run, kind="roster")
    if mark_missing_as_left and scope is None and OrgUnit.get_root_nodes().count() > 1:
        return import_failed(
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
            return import_failed(exc.errors, dry_run=dry_run, kind="roster")
        errors = missing_columns(table, ROSTER_REQUIRED_COLUMNS)
        if errors:
            return import_failed(errors, dry_run=dry_run, kind="roster")
        plan = _RosterPlan(table=table, scope=scope, mark_missing_as_left=mark_missing_as_left)
        plan.validate()
        if plan.errors:
            return import_failed(plan.errors, dry_run=dry_run, kind="roster")
        result = plan.result(dry_run=dry_run)
        if not dry_run and result.has_changes:
            with transaction.atomic():
                plan.apply(by=by)
        return result


class _RosterPlan:
    def __init__(self, *, table: Table, scope: OrgUnit | None, mark_missing_as_left: bool):
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
            elif not in_scope(unit[1], self.scope):
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
        """One log entry per created or changed person, written in one INSERT."""
        entries = [
            (person.pk, "lms.person.import_create", {"fields": _created_fields(row)})
            for row, person in zip(self.creates, new_people, strict=True)
        ]
        entries += [
            (row.existing.pk, "lms.person.import_update", {"fields": _field_names(changed)})
            for row, changed in self.updates
        ]
        entries += [
            (p.pk, "lms.person.import_update", {"fields": ["active", "left_on"]})
            for p in self.leaving
        ]
        audit.log_many(Person, entries, by=by, content_changed=True, timestamp=now)


def _field_names(changed: dict[str, Any]) -> list[str]:
    return [name.removesuffix("_id") for name in changed]


def _created_fields(row: _RosterRow) -> list[str]:
    fields = ["employee_number", "name", "email", "org_unit"]
    if row.job_category_id:
        fields.append("job_category")
    if row.manager_number:
        fields.append("manager")
    return fields
