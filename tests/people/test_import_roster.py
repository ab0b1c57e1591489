"""The staff roster import: reading, validation (every bad-input case), applying, idempotency."""

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.people.models import OrgUnit, Person, Role
from lms.people.services.roster_import import roster_import
from lms.tabular import RowError
from tests.factories import JobCategoryFactory, PersonFactory, UserFactory

HEADER = [
    "employee_number",
    "name",
    "email",
    "org_unit_code",
    "job_category",
    "manager_employee_number",
]


def csv_bytes(rows, *, header=HEADER, sep=",", encoding="utf-8") -> bytes:
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def snapshot():
    """Everything an import may change, to assert that a failed import changed nothing."""
    return sorted(
        Person.objects.values_list(
            "pk",
            "employee_number",
            "name",
            "email",
            "org_unit_id",
            "job_category_id",
            "manager_id",
            "active",
            "left_on",
        )
    )


def errors_at(result):
    return {(error.row, error.column) for error in result.errors}


@pytest.fixture
def teacher(db):
    return JobCategoryFactory(code="LAERER", name="Lærer")


@pytest.fixture
def pedagogue(db):
    return JobCategoryFactory(code="PAED", name="Pædagog")


ROWS = [
    ["1001", "Anne Sørensen", "Anne.Sorensen@hjoerring.dk", "HJ-SKOLE", "LAERER", ""],
    ["1002", "Bo Ærø", "bo@hjoerring.dk", "HJ-SKOLE", "Pædagog", "1001"],
    ["1003", "Åse Øster", "aase@hjoerring.dk", "HJ-BFU", "laerer", "1001"],
]


@pytest.fixture
def base(tree, teacher, pedagogue):
    return tree


# --- Happy paths, every way Danish HR systems and Excel write a file ----------------------------


def assert_three_people(tree, teacher, pedagogue):
    anne = Person.objects.get(employee_number="1001")
    bo = Person.objects.get(employee_number="1002")
    aase = Person.objects.get(employee_number="1003")
    assert anne.name == "Anne Sørensen"
    assert anne.email == "anne.sorensen@hjoerring.dk"  # stored lower-cased
    assert anne.org_unit == tree["HJ-SKOLE"]
    assert anne.job_category == teacher
    assert anne.manager is None
    assert bo.name == "Bo Ærø"
    assert bo.job_category == pedagogue  # by name
    assert bo.manager == anne
    assert aase.name == "Åse Øster"
    assert aase.job_category == teacher  # by code, case-insensitive
    assert aase.org_unit == tree["HJ-BFU"]
    assert aase.manager == anne


@pytest.mark.parametrize(
    ("sep", "encoding"),
    [(",", "utf-8"), (";", "utf-8"), (";", "utf-8-sig"), (",", "utf-8-sig"), (";", "cp1252")],
)
def test_csv_encodings_and_separators(base, teacher, pedagogue, sep, encoding):
    data = csv_bytes(ROWS, sep=sep, encoding=encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    result = roster_import(source=data, filename="roster.csv")
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged, result.marked_left) == (3, 0, 0, 0)
    assert result.summary() == "3 oprettet, 0 ændret, 0 uændrede, 0 markeret som fratrådt"
    assert_three_people(base, teacher, pedagogue)


def test_xlsx_by_extension_and_by_magic_bytes(base, teacher, pedagogue):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            " Employee_Number ",
            "NAME",
            "Email",
            "org_unit_code",
            "job_category",
            "manager_employee_number",
        ]
    )
    for row in ROWS:
        # Excel stores numbers as numbers: 1001, not "1001".
        sheet.append([int(row[0]), *row[1:5], int(row[5]) if row[5] else None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = roster_import(source=buffer.getvalue(), filename="roster.xlsx")
    assert result.ok, result.errors
    assert result.created == 3
    assert_three_people(base, teacher, pedagogue)
    # Without a file name the zip signature gives it away; the second run changes nothing.
    again = roster_import(source=buffer.getvalue())
    assert again.ok and not again.has_changes


def test_path_uploaded_file_and_dataframe_sources(base, teacher, pedagogue, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(ROWS[:1], sep=";"))
    assert roster_import(source=str(path)).created == 1
    upload = SimpleUploadedFile("roster.csv", csv_bytes(ROWS[:2]), content_type="text/csv")
    result = roster_import(source=upload)
    assert (result.created, result.unchanged) == (1, 1)
    frame = pd.DataFrame(ROWS, columns=HEADER)
    frame.loc[0, "manager_employee_number"] = None  # DataFrames from code may hold None / NaN
    result = roster_import(source=frame)
    assert (result.created, result.unchanged) == (1, 2)
    assert_three_people(base, teacher, pedagogue)


def test_column_names_are_case_insensitive_and_stripped_and_blank_rows_skipped(base):
    header = [
        " EMPLOYEE_NUMBER",
        "Name ",
        "E-mail".replace("-", ""),
        "Org_Unit_Code",
        "JOB_CATEGORY",
        "Manager_Employee_Number",
    ]
    rows = [ROWS[0], ["", "", "", "", "", ""], ["1009", "  Carl   Dahl ", " c@x.dk ", "HJ", "", ""]]
    result = roster_import(source=csv_bytes(rows, header=header))
    assert result.ok, result.errors
    carl = Person.objects.get(employee_number="1009")
    assert (carl.name, carl.email, carl.job_category) == ("Carl Dahl", "c@x.dk", None)


def test_manager_column_is_optional_and_then_leaves_managers_alone(base):
    roster_import(source=csv_bytes(ROWS))
    bo = Person.objects.get(employee_number="1002")
    rows = [row[:5] for row in ROWS]
    rows[1][1] = "Bo Ærø Jensen"
    result = roster_import(source=csv_bytes(rows, header=HEADER[:5]))
    assert (result.updated, result.unchanged) == (1, 2)
    bo.refresh_from_db()
    assert bo.name == "Bo Ærø Jensen"
    assert bo.manager.employee_number == "1001"


# --- Idempotency, updates, left and reactivated -------------------------------------------------


def test_second_import_changes_nothing_and_says_so(base):
    first = roster_import(source=csv_bytes(ROWS))
    assert first.created == 3
    before = snapshot()
    second = roster_import(source=csv_bytes(ROWS))
    assert second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 3)
    assert second.summary() == "Ingen ændringer (3 uændrede)."
    assert snapshot() == before


def test_updates_only_changed_people_and_fields(base, teacher, pedagogue):
    roster_import(source=csv_bytes(ROWS))
    rows = [list(row) for row in ROWS]
    rows[0][3] = "HJ-BFU"  # Anne moves
    rows[2][4] = "PAED"  # Åse changes job
    rows[2][5] = "1002"  # and manager
    result = roster_import(source=csv_bytes(rows))
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    changes = {change.key: change.fields for change in result.changes}
    assert changes == {"1001": ["org_unit"], "1003": ["job_category", "manager"]}
    aase = Person.objects.get(employee_number="1003")
    assert aase.job_category == pedagogue
    assert aase.manager.employee_number == "1002"


def test_match_falls_back_to_email_for_people_without_employee_number(base):
    hand_made = PersonFactory(
        employee_number="", email="Anne.Sorensen@Hjoerring.dk", org_unit=base["HJ"]
    )
    result = roster_import(source=csv_bytes(ROWS))
    assert (result.created, result.updated) == (2, 1)
    hand_made.refresh_from_db()
    assert hand_made.employee_number == "1001"
    assert hand_made.email == "anne.sorensen@hjoerring.dk"
    assert Person.objects.count() == 3


def test_missing_people_are_marked_left_only_with_the_flag(base):
    roster_import(source=csv_bytes(ROWS))
    without_aase = csv_bytes(ROWS[:2])
    result = roster_import(source=without_aase)
    assert (result.marked_left, result.unchanged) == (0, 2)
    assert Person.objects.get(employee_number="1003").active

    hj = base["HJ"]
    result = roster_import(source=without_aase, mark_missing_as_left=True, dry_run=True, scope=hj)
    assert result.marked_left == 1
    assert result.summary().startswith("Prøvekørsel, intet gemt: ")
    assert Person.objects.get(employee_number="1003").active

    result = roster_import(source=without_aase, mark_missing_as_left=True, scope=hj)
    assert result.marked_left == 1
    aase = Person.objects.get(employee_number="1003")
    assert not aase.active
    assert aase.left_on == timezone.localdate()
    assert Person.objects.count() == 3  # never deleted
    # Marked once; a second run changes nothing.
    assert not roster_import(source=without_aase, mark_missing_as_left=True, scope=hj).has_changes


def test_person_who_comes_back_is_reactivated(base):
    roster_import(source=csv_bytes(ROWS))
    Person.objects.filter(employee_number="1003").update(active=False, left_on=dt.date(2024, 1, 1))
    result = roster_import(source=csv_bytes(ROWS))
    assert result.updated == 1
    assert result.changes[0].fields == ["active", "left_on"]
    aase = Person.objects.get(employee_number="1003")
    assert aase.active and aase.left_on is None


def test_scope_limits_units_people_and_who_is_marked_left(base):
    outside = PersonFactory(employee_number="9001", email="fr@x.dk", org_unit=base["FR-SKOLE"])
    inside = PersonFactory(employee_number="9002", email="hj@x.dk", org_unit=base["HJ-BFU"])
    result = roster_import(source=csv_bytes(ROWS), scope=base["HJ"], mark_missing_as_left=True)
    assert (result.created, result.marked_left) == (3, 1)
    outside.refresh_from_db()
    inside.refresh_from_db()
    assert outside.active and not inside.active


# --- Audit log -----------------------------------------------------------------------------------


def test_changes_are_in_wagtails_audit_log(base, make_staff):
    coordinator = make_staff(Role.COORDINATOR, base["HJ"])
    hj = base["HJ"]
    roster_import(source=csv_bytes(ROWS), by=coordinator, scope=hj)
    created = ModelLogEntry.objects.filter(action="lms.person.import_create")
    assert created.count() == 3
    entry = created.get(object_id=str(Person.objects.get(employee_number="1002").pk))
    assert entry.user == coordinator
    assert entry.data["fields"] == [
        "employee_number",
        "name",
        "email",
        "org_unit",
        "job_category",
        "manager",
    ]
    assert "Bo" not in entry.label  # no personal data in the log
    assert entry.message.startswith("Person oprettet ved import")
    rows = [list(row) for row in ROWS]
    rows[1][1] = "Bo Ærø Jensen"
    roster_import(source=csv_bytes(rows[:2]), by=coordinator, mark_missing_as_left=True, scope=hj)
    updated = ModelLogEntry.objects.filter(action="lms.person.import_update")
    assert sorted(e.data["fields"] for e in updated) == [["active", "left_on"], ["name"]]
    # Nothing is logged when nothing changes.
    roster_import(source=csv_bytes(rows[:2]), by=coordinator, scope=hj)
    assert ModelLogEntry.objects.filter(action__startswith="lms.person.import").count() == 5


# --- Bad input: every case changes nothing and names row and column -----------------------------


def assert_nothing_changed(before, result):
    assert not result.ok
    assert (result.created, result.updated, result.marked_left) == (0, 0, 0)
    assert snapshot() == before
    assert not ModelLogEntry.objects.filter(action__startswith="lms.person.import").exists()


@pytest.fixture
def existing(base):
    """The three ROWS people, already imported (without audit entries)."""
    roster_import(source=csv_bytes(ROWS))
    ModelLogEntry.objects.all().delete()
    return snapshot()


def hj():
    return OrgUnit.objects.get(code="HJ")


def bad(rows):
    return roster_import(source=csv_bytes(rows), mark_missing_as_left=True, scope=hj())


def test_missing_required_values(existing):
    result = bad([ROWS[0], ["1004", "", "x@y.dk", "", "", ""]])
    assert errors_at(result) == {(3, "name"), (3, "org_unit_code")}
    assert all(error.message == "Der skal stå en værdi." for error in result.errors)
    assert_nothing_changed(existing, result)


def test_malformed_email(existing):
    result = bad(
        [*ROWS, ["1004", "Dan", "dan@", "HJ", "", ""], ["1005", "Eva", "eva at x.dk", "HJ", "", ""]]
    )
    assert errors_at(result) == {(5, "email"), (6, "email")}
    assert "er ikke en gyldig e-mailadresse" in result.errors[0].message
    assert_nothing_changed(existing, result)


def test_unknown_org_unit_and_job_category(existing):
    result = bad([*ROWS, ["1004", "Dan", "dan@x.dk", "NOPE", "ASTRONAUT", ""]])
    assert errors_at(result) == {(5, "org_unit_code"), (5, "job_category")}
    assert_nothing_changed(existing, result)


def test_duplicate_email_case_insensitive_and_duplicate_employee_number(existing):
    result = bad(
        [
            *ROWS,
            ["1004", "Dan", "BO@hjoerring.dk", "HJ", "", ""],
            ["1001", "Eva", "eva@x.dk", "HJ", "", ""],
        ]
    )
    assert errors_at(result) == {(5, "email"), (6, "employee_number")}
    assert "række 3" in result.errors[0].message
    assert_nothing_changed(existing, result)


def test_unknown_manager(existing):
    result = bad([*ROWS, ["1004", "Dan", "dan@x.dk", "HJ", "", "7777"]])
    assert errors_at(result) == {(5, "manager_employee_number")}
    assert_nothing_changed(existing, result)


def test_manager_already_in_the_database_is_known(existing):
    result = roster_import(source=csv_bytes([["1004", "Dan", "dan@x.dk", "HJ", "", "1001"]]))
    assert result.ok
    assert Person.objects.get(employee_number="1004").manager.employee_number == "1001"


def test_manager_cycles(existing):
    rows = [list(row) for row in ROWS]
    rows[0][5] = "1002"  # Anne <- Bo <- Anne
    rows[2][5] = "1003"  # Åse manages herself
    result = bad(rows)
    assert errors_at(result) == {
        (2, "manager_employee_number"),
        (3, "manager_employee_number"),
        (4, "manager_employee_number"),
    }
    assert "1001 → 1002 → 1001" in result.errors[0].message
    assert_nothing_changed(existing, result)


def test_manager_cycle_through_someone_not_in_the_file(existing):
    # Bo (1002, in the database, not in the file) reports to Anne; Anne now reports to Bo.
    result = roster_import(source=csv_bytes([["1001", "Anne", "anne@x.dk", "HJ", "", "1002"]]))
    assert errors_at(result) == {(2, "manager_employee_number")}
    assert_nothing_changed(existing, result)


def test_email_used_by_another_existing_person(existing):
    result = bad([ROWS[0], ROWS[2], ["1004", "Dan", "BO@hjoerring.dk", "HJ", "", ""]])
    # Row 4 is new (1004) but Bo (1002, not in this file) owns the address.
    assert errors_at(result) == {(4, "email")}
    assert "1002" in result.errors[0].message
    assert_nothing_changed(existing, result)


def test_every_problem_is_reported_at_once(existing):
    result = bad(
        [
            ["1001", "", "bad", "NOPE", "ASTRONAUT", "1001"],
            ["1001", "Bo", "bo@hjoerring.dk", "HJ", "", "9999"],
        ]
    )
    assert errors_at(result) == {
        (2, "name"),
        (2, "email"),
        (2, "org_unit_code"),
        (2, "job_category"),
        (2, "manager_employee_number"),
        (3, "employee_number"),
        (3, "email"),  # Bo's address, on a row that (by number) is Anne
        (3, "manager_employee_number"),
    }
    assert [error.row for error in result.errors] == sorted(e.row for e in result.errors)
    assert_nothing_changed(existing, result)


def test_scope_refuses_units_and_people_outside_it(existing, base):
    PersonFactory(employee_number="9001", email="fr@x.dk", org_unit=base["FR-SKOLE"])
    PersonFactory(employee_number="9003", email="fr3@x.dk", org_unit=base["FR"])
    before = snapshot()
    result = roster_import(
        source=csv_bytes(
            [
                *ROWS,
                ["1004", "Dan", "dan@x.dk", "FR-SKOLE", "", ""],
                ["9001", "Fie", "fie@x.dk", "HJ", "", ""],
                ["1005", "Gry", "FR@x.dk", "HJ", "", "9003"],
            ]
        ),
        scope=base["HJ"],
    )
    assert errors_at(result) == {
        (5, "org_unit_code"),
        (6, "employee_number"),
        (7, "email"),
        (7, "manager_employee_number"),
    }
    assert_nothing_changed(before, result)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen er tom."),
        (b"   \r\n\r\n", "Filen er tom."),
        (",".join(HEADER).encode() + b"\r\n", "Filen har ingen rækker med data, kun overskrifter."),
        (
            b"PK\x03\x04 this is not really a workbook",
            "Filen kunne ikke læses som en Excel-projektmappe (.xlsx).",
        ),
        (
            b"\x00\x01\x02\x03binary",
            "Filen kunne ikke læses. Upload en CSV-fil (UTF-8 eller "
            "Windows-1252) eller en Excel-projektmappe (.xlsx).",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old",
            "Gamle Excel-filer (.xls) kan ikke læses. Gem filen som .xlsx eller CSV.",
        ),
    ],
)
def test_empty_header_only_and_unreadable_files(existing, data, message):
    result = bad_file(data)
    assert [(e.row, e.column, e.message) for e in result.errors] == [(None, None, message)]
    assert_nothing_changed(existing, result)


def bad_file(data, filename="roster.csv"):
    return roster_import(source=data, filename=filename, mark_missing_as_left=True, scope=hj())


def test_missing_columns_are_named(existing):
    result = bad_file(csv_bytes([["1001", "Anne"]], header=["employee_number", "navn"]))
    assert {error.column for error in result.errors} == {
        "name",
        "email",
        "org_unit_code",
        "job_category",
    }
    assert str(result.errors[0]) == "kolonne name: Kolonnen mangler i filen."
    assert_nothing_changed(existing, result)


def test_row_with_more_values_than_columns(existing):
    data = csv_bytes([*ROWS, ["1004", "Dan", "dan@x.dk", "HJ", "", "", "surplus"]])
    result = bad_file(data)
    assert errors_at(result) == {(5, None)}
    assert_nothing_changed(existing, result)


def test_missing_file_path(existing, tmp_path):
    result = bad_file(str(tmp_path / "nope.csv"))
    assert len(result.errors) == 1 and result.errors[0].message.startswith("Filen kunne ikke åbnes")
    assert_nothing_changed(existing, result)


def test_row_error_text():
    assert (
        str(RowError(row=4, column="email", message="Ugyldig")) == "række 4, kolonne email: Ugyldig"
    )
    assert str(RowError(row=None, column=None, message="Filen er tom.")) == "Filen er tom."


# --- Bulk: the number of queries does not grow with the file ------------------------------------


def big_roster(count: int, unit: str = "HJ-SKOLE") -> bytes:
    rows = [
        [
            f"{n:06d}",
            f"Person {n}",
            f"p{n}@example.dk",
            unit,
            "LAERER",
            f"{(n // 10) * 10:06d}" if n % 10 else "",
        ]
        for n in range(count)
    ]
    return csv_bytes(rows, sep=";")


@pytest.mark.parametrize("count", [200, 2000])
def test_constant_number_of_queries(base, assert_queries, count):
    PersonFactory.create_batch(5, org_unit=base["HJ-BFU"])
    user = UserFactory(is_superuser=True)
    # The scope (needed to mark missing people left with two municipalities) adds one query each
    # for people outside it by employee number and by email.
    result = assert_queries(
        12,
        lambda: roster_import(
            source=big_roster(count), by=user, mark_missing_as_left=True, scope=base["HJ"]
        ),
        warm=False,
    )
    assert (result.created, result.marked_left) == (count, 5)
    assert ModelLogEntry.objects.filter(action__startswith="lms.person.import").count() == count + 5
    # And again, changing every name.
    changed = big_roster(count).replace(b"Person ", b"Persona ")
    result = assert_queries(7, lambda: roster_import(source=changed, by=user), warm=False)
    assert result.updated == count
    assert Person.objects.filter(name__startswith="Persona ").count() == count
    assert Person.objects.get(employee_number="000011").manager.employee_number == "000010"
