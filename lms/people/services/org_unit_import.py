"""All-or-nothing import of the organisation tree from CSV or XLSX (code, name, kind,
parent_code): every row is validated against the file and the tree before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail import log_actions

from lms import audit
from lms.people import policy
from lms.people.models import OrgUnit, User
from lms.people.services.imports import import_failed, import_refused, in_scope
from lms.tabular import (
    Change,
    FileError,
    ImportResult,
    RowError,
    Source,
    missing_columns,
    read_table,
)

ORG_UNIT_COLUMNS = ("code", "name", "kind", "parent_code")

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
    "code": OrgUnit._meta.get_field("code").max_length,
    "unit_name": OrgUnit._meta.get_field("name").max_length,
}


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
    refused = import_refused(by, policy.Action.ORGUNIT_MANAGE, scope)
    if refused is not None:
        return import_failed([refused], dry_run=dry_run, kind="org_units")
    try:
        table = read_table(source, filename)
    except FileError as exc:
        return import_failed(exc.errors, dry_run=dry_run, kind="org_units")
    errors = missing_columns(table, ORG_UNIT_COLUMNS)
    if errors:
        return import_failed(errors, dry_run=dry_run, kind="org_units")

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
            if row.existing is not None and not in_scope(row.existing.path, scope):
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
                if not in_scope(units[row.parent_code].path, scope):
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
        return import_failed(errors, dry_run=dry_run, kind="org_units")

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
        audit.log(
            unit,
            "lms.orgunit.import_create",
            by=by,
            data={"fields": ["code", "name", "kind", "parent"]},
            title=unit.name,
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
    audit.log(unit, "lms.orgunit.import_update", by=by, data={"fields": changed}, title=unit.name)


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
