"""The organisation-tree import: create, rename, re-kind and move by code; every bad input."""

import io

import openpyxl
import pytest
from wagtail.models import ModelLogEntry

from lms.people.models import OrgUnit
from lms.people.services.org_unit_import import org_units_import
from tests.factories import UserFactory

HEADER = ["code", "name", "kind", "parent_code"]


def csv_bytes(rows, *, header=HEADER, sep=";", encoding="utf-8-sig") -> bytes:
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def tree_snapshot():
    return sorted(OrgUnit.objects.values_list("code", "name", "kind", "path", "numchild"))


def parent_code(code):
    parent = OrgUnit.objects.get(code=code).get_parent()
    return parent.code if parent else ""


ROWS = [
    # Children before parents on purpose: the import sorts them.
    ["HJ-BFU-SKOLE", "Bakkeskolen", "arbejdssted", "HJ-BFU"],
    ["HJ", "Hjørring Kommune", "Kommune", ""],
    ["HJ-BFU", "Børne- og Fritidsforvaltningen", "forvaltning", "HJ"],
    ["HJ-POL", "Lokalpoliti Hjørring", "POLITI", "HJ"],
    ["HJ-GYM", "Hjørring Gymnasium", "institution", "HJ"],
    ["HJ-SSP", "SSP-samarbejdet", "partner", "HJ"],
    ["HJ-AU", "Arbejdsmarkedsforvaltningen", "administration", "HJ"],
]


def test_creates_a_tree_from_a_file_in_any_order(db):
    result = org_units_import(source=csv_bytes(ROWS), filename="enheder.csv")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (7, 0, 0)
    assert result.summary() == "7 oprettet, 0 ændret, 0 uændrede"
    assert OrgUnit.objects.get(code="HJ").kind == "municipality"
    assert OrgUnit.objects.get(code="HJ-POL").kind == "police"
    assert OrgUnit.objects.get(code="HJ-GYM").kind == "institution"
    assert OrgUnit.objects.get(code="HJ-SSP").kind == "partner"
    assert parent_code("HJ-BFU-SKOLE") == "HJ-BFU"
    assert parent_code("HJ") == ""
    assert OrgUnit.find_problems() == ([], [], [], [], [])
    # Twice: nothing changes, and the summary says so.
    again = org_units_import(source=csv_bytes(ROWS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert again.summary() == "Ingen ændringer (7 uændrede)."


def test_xlsx(db):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Code", "Name", "Kind", "Parent_Code"])
    for row in ROWS:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = org_units_import(source=buffer.getvalue(), filename="enheder.xlsx")
    assert result.ok, result.errors
    assert result.created == 7


def test_renames_rekinds_and_moves_existing_units_by_code(tree):
    user = UserFactory(is_superuser=True)  # the file spans two municipalities: a superuser's
    result = org_units_import(
        source=csv_bytes(
            [
                ["HJ-SKOLE", "Hjørring Skole (ny)", "workplace", "HJ"],  # rename and move
                ["HJ-GYM", "HJ Gymnasium", "partner", "HJ"],  # kind only
                ["FR-BFU", "FR BFU", "administration", "FR"],  # unchanged
                ["FR", "FR Kommune", "municipality", ""],  # unchanged
                ["NEW", "Ny enhed", "workplace", "FR-BFU"],
            ]
        ),
        by=user,
    )
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 2, 2)
    assert {c.key: c.fields for c in result.changes if c.action == "update"} == {
        "HJ-SKOLE": ["name", "parent"],
        "HJ-GYM": ["kind"],
    }
    assert parent_code("HJ-SKOLE") == "HJ"
    assert OrgUnit.objects.get(code="HJ-SKOLE").name == "Hjørring Skole (ny)"
    assert OrgUnit.objects.get(code="HJ-GYM").kind == "partner"
    assert parent_code("NEW") == "FR-BFU"
    assert OrgUnit.find_problems() == ([], [], [], [], [])
    logs = ModelLogEntry.objects.filter(action__startswith="lms.orgunit.import")
    assert sorted((e.action, e.user_id) for e in logs) == [
        ("lms.orgunit.import_create", user.pk),
        ("lms.orgunit.import_update", user.pk),
        ("lms.orgunit.import_update", user.pk),
    ]


def test_rename_of_a_root_and_move_to_the_top(tree):
    result = org_units_import(
        source=csv_bytes(
            [
                ["HJ", "Aalborg-Hjørring", "municipality", ""],
                ["HJ-BFU", "HJ BFU", "forvaltning", ""],
            ]
        )
    )
    assert result.ok, result.errors
    assert OrgUnit.objects.get(code="HJ").name == "Aalborg-Hjørring"
    assert parent_code("HJ-BFU") == ""
    assert parent_code("HJ-SKOLE") == "HJ-BFU"  # its subtree moves with it
    assert OrgUnit.find_problems() == ([], [], [], [], [])


def test_dry_run_writes_nothing(tree):
    before = tree_snapshot()
    result = org_units_import(source=csv_bytes(ROWS), dry_run=True)
    assert result.ok
    assert result.summary().startswith("Prøvekørsel, intet gemt: ")
    assert tree_snapshot() == before


# --- Bad input ----------------------------------------------------------------------------------


def errors_at(result):
    return {(error.row, error.column) for error in result.errors}


@pytest.fixture
def before(tree):
    return tree_snapshot()


def assert_nothing_changed(before, result):
    assert not result.ok
    assert tree_snapshot() == before
    assert not ModelLogEntry.objects.filter(action__startswith="lms.orgunit.import").exists()


def test_missing_values_unknown_kind_and_duplicate_code(before):
    result = org_units_import(
        source=csv_bytes(
            [
                ["A", "", "kommune", ""],
                ["B", "B", "planet", ""],
                ["A", "A again", "kommune", ""],
                ["", "No code", "", "HJ"],
            ]
        )
    )
    assert errors_at(result) == {(2, "name"), (3, "kind"), (4, "code"), (5, "code"), (5, "kind")}
    assert "arbejdssted" in next(e.message for e in result.errors if e.column == "kind")
    assert_nothing_changed(before, result)


def test_unknown_parent(before):
    result = org_units_import(source=csv_bytes([["A", "A", "workplace", "NOPE"]]))
    assert errors_at(result) == {(2, "parent_code")}
    assert_nothing_changed(before, result)


def test_parent_cycles(before):
    result = org_units_import(
        source=csv_bytes(
            [
                ["A", "A", "workplace", "B"],
                ["B", "B", "workplace", "A"],
                ["C", "C", "workplace", "C"],
                # Moving a unit under its own child: HJ-BFU's child is HJ-SKOLE.
                ["HJ-BFU", "HJ BFU", "administration", "HJ-SKOLE"],
            ]
        )
    )
    assert errors_at(result) == {
        (2, "parent_code"),
        (3, "parent_code"),
        (4, "parent_code"),
        (5, "parent_code"),
    }
    assert "A → B → A" in result.errors[0].message
    assert_nothing_changed(before, result)


def test_missing_columns_and_empty_files(before):
    result = org_units_import(source=csv_bytes([["A", "A"]], header=["code", "name"]))
    assert {(e.column, e.message) for e in result.errors} == {
        ("kind", "Kolonnen mangler i filen."),
        ("parent_code", "Kolonnen mangler i filen."),
    }
    assert_nothing_changed(before, result)
    for data in (b"", csv_bytes([])):
        result = org_units_import(source=data)
        assert len(result.errors) == 1 and result.errors[0].row is None
        assert_nothing_changed(before, result)


def test_scope_refuses_units_outside_it(before, tree):
    result = org_units_import(
        source=csv_bytes(
            [
                ["HJ-NEW", "Ny", "workplace", "HJ-BFU"],  # fine
                ["FR-SKOLE", "FR Skole", "workplace", "FR-BFU"],  # existing, outside
                ["X", "X", "workplace", "FR"],  # new, under a parent outside
                ["TOP", "Top", "municipality", ""],  # a new root
                ["HJ-SKOLE", "HJ Skole", "workplace", "FR-BFU"],  # moved out of the area
            ]
        ),
        scope=tree["HJ"],
    )
    assert errors_at(result) == {
        (3, "code"),
        (4, "parent_code"),
        (5, "parent_code"),
        (6, "parent_code"),
    }
    assert_nothing_changed(before, result)
    # The area's own top unit may be renamed in place.
    ok = org_units_import(
        source=csv_bytes([["HJ", "Hjørring", "municipality", ""]]), scope=tree["HJ"]
    )
    assert ok.ok and ok.updated == 1
