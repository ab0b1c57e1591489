"""python manage.py import_roster / import_org_units: summaries, errors and exit status."""

import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lms.people.models import OrgUnit, Person
from tests.factories import JobCategoryFactory, PersonFactory

ROSTER = (
    "employee_number;name;email;org_unit_code;job_category;manager_employee_number\r\n"
    "3001;Ida Ørum;ida@hjoerring.dk;HJ-SKOLE;LAERER;\r\n"
    "3002;Jens Å;jens@hjoerring.dk;HJ;LAERER;3001\r\n"
)


@pytest.fixture
def roster_file(tree, tmp_path):
    JobCategoryFactory(code="LAERER", name="Lærer")
    path = tmp_path / "roster.csv"
    path.write_bytes(ROSTER.encode("utf-8-sig"))
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_import_roster_dry_run_then_real_then_again(roster_file):
    out, _ = run("import_roster", str(roster_file), "--dry-run")
    assert (
        out == "Prøvekørsel, intet gemt: 2 oprettet, 0 ændret, 0 uændrede, 0 markeret som fratrådt"
    )
    assert Person.objects.count() == 0
    out, _ = run("import_roster", str(roster_file))
    assert out == "2 oprettet, 0 ændret, 0 uændrede, 0 markeret som fratrådt"
    assert Person.objects.get(employee_number="3002").manager.name == "Ida Ørum"
    out, _ = run("import_roster", str(roster_file))
    assert out == "Ingen ændringer (2 uændrede)."


def test_import_roster_mark_missing_as_left_and_scope(roster_file, tree):
    inside = PersonFactory(org_unit=tree["HJ-BFU"])
    outside = PersonFactory(org_unit=tree["FR"])
    out, _ = run("import_roster", str(roster_file), "--mark-missing-as-left", "--scope", "HJ")
    assert out.endswith("1 markeret som fratrådt")
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert not inside.active and outside.active


def test_import_roster_errors_fail_and_print_every_row(roster_file, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        (ROSTER + "3003;;not-an-email;NOPE;LAERER;3001\r\n3001;Dup;dup@x.dk;HJ;;\r\n").encode(
            "cp1252"
        )
    )
    err = StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_roster", str(bad), stdout=StringIO(), stderr=err)
    assert str(excinfo.value) == "4 fejl: intet blev gemt."
    assert err.getvalue().splitlines() == [
        "række 4, kolonne name: Der skal stå en værdi.",
        "række 4, kolonne email: not-an-email er ikke en gyldig e-mailadresse.",
        "række 4, kolonne org_unit_code: Der findes ingen organisationsenhed med koden NOPE.",
        "række 5, kolonne employee_number: Medarbejdernummeret 3001 står også i række 2.",
    ]
    assert Person.objects.count() == 0


def test_import_org_units(tree, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent_code\nHJ-NY,Ny skole,arbejdssted,HJ-BFU\n")
    out, _ = run("import_org_units", str(path), "--dry-run")
    assert out == "Prøvekørsel, intet gemt: 1 oprettet, 0 ændret, 0 uændrede"
    assert not OrgUnit.objects.filter(code="HJ-NY").exists()
    out, _ = run("import_org_units", str(path))
    assert OrgUnit.objects.get(code="HJ-NY").get_parent().code == "HJ-BFU"
    path.write_text("code,name,kind\nX,X,kommune\n")
    with pytest.raises(CommandError):
        run("import_org_units", str(path))


def test_unknown_scope_and_missing_file(tree, tmp_path):
    with pytest.raises(CommandError, match="NOPE"):
        run("import_roster", str(tmp_path / "x.csv"), "--scope", "NOPE")
    with pytest.raises(CommandError):
        run("import_roster", str(tmp_path / "x.csv"))


def test_exit_status_of_the_real_command(tmp_path):
    """The process exits non-zero on a bad file (here: one with no data rows)."""
    path = tmp_path / "empty.csv"
    path.write_text("employee_number,name,email,org_unit_code,job_category\n")
    completed = subprocess.run(
        [sys.executable, "manage.py", "import_roster", str(path), "--dry-run"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "lms.settings.test",
            # Never touch a real database: the file fails before any query.
            "DATABASE_URL": "sqlite://:memory:",
            "LMS_VAR_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        },
        timeout=120,
    )
    assert completed.returncode == 1
    assert "Filen har ingen rækker med data, kun overskrifter." in completed.stderr
