"""Attendance import from CSV: all or nothing, per-row errors; the admin upload and the command."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from attendance.models import Attendance
from attendance.services.attendance import attendance_import
from lms.competence.models import Evidence
from lms.people.models import Role
from tests.factories import CompetenceFactory

M = Attendance.Mark


@pytest.fixture
def setup(tree, live_meeting, make_employee, make_staff, mfa):
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(3)]
    meeting = live_meeting(
        tree["HJ"],
        audience=[tree["HJ-BFU"]],
        registrants=people,
        competence=CompetenceFactory(code="BEK"),
    )
    coordinator = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    return {"meeting": meeting, "people": people, "coordinator": coordinator}


def run(setup, text, by="coordinator"):
    return attendance_import(
        meeting=setup["meeting"],
        source=text.encode(),
        filename="fremmoede.csv",
        by=setup[by] if by else None,
    )


def test_import_marks_everyone(setup):
    p = setup["people"]
    result = run(
        setup,
        f"email,mark\n{p[0].email.upper()},present\n{p[1].email},forsinket\n{p[2].email},absent\n",
    )
    assert result.ok, result.errors
    marks = dict(Attendance.objects.values_list("person_id", "mark"))
    assert marks == {p[0].pk: M.PRESENT, p[1].pk: M.LATE, p[2].pk: M.ABSENT}
    assert set(Attendance.objects.values_list("method", flat=True)) == {"import"}
    assert Evidence.objects.filter(voided_at=None).count() == 2
    # The same file again changes nothing.
    again = run(setup, f"employee_number,mark\n{p[0].employee_number},present\n")
    assert again.ok and again.unchanged == 1 and again.marked == 0


def test_bad_input_changes_nothing_and_lists_errors(setup, tree, make_employee):
    p = setup["people"]
    outsider = make_employee(tree["FR-SKOLE"])
    result = run(
        setup,
        "email,mark\n"
        f"{p[0].email},present\n"  # fine on its own
        "ukendt@example.dk,present\n"  # row 3: unknown person
        f"{p[1].email},maybe\n"  # row 4: bad mark
        f"{p[0].email},late\n"  # row 5: duplicate of row 2
        f"{outsider.email},present\n"  # row 6: outside the meeting's area
        f"{p[2].email},\n",  # row 7: no mark
    )
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {(3, "email"), (4, "mark"), (5, "email"), (6, "email"), (7, "mark")}
    assert "række 2" in next(str(e) for e in result.errors if e.row == 5)
    assert not Attendance.objects.exists() and not Evidence.objects.exists()


def test_missing_columns(setup):
    result = run(setup, "navn,status\nA,present\n")
    assert {e.column for e in result.errors} == {"email", "mark"}
    assert all(e.row is None for e in result.errors)
    assert not Attendance.objects.exists()


def test_admin_upload(client, setup):
    p = setup["people"]
    client.force_login(setup["coordinator"])
    url = reverse("attendance_admin:import", args=(setup["meeting"].pk,))
    bad = SimpleUploadedFile("f.csv", b"email,mark\nukendt@example.dk,present\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "Personen findes ikke for dette møde" in response.content.decode()
    assert not Attendance.objects.exists()
    good = SimpleUploadedFile("f.csv", f"email,mark\n{p[0].email},present\n".encode())
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert Attendance.objects.get().person == p[0]


def test_admin_upload_refused_for_others(client, setup, tree, make_staff, mfa):
    client.force_login(mfa(make_staff(Role.COORDINATOR, tree["FR"])))
    url = reverse("attendance_admin:import", args=(setup["meeting"].pk,))
    good = SimpleUploadedFile("f.csv", f"email,mark\n{setup['people'][0].email},present\n".encode())
    assert client.post(url, {"file": good}).status_code in (302, 403)  # Wagtail: to admin home
    assert not Attendance.objects.exists()


def test_management_command(setup, tmp_path):
    p = setup["people"]
    path = tmp_path / "fremmoede.csv"
    path.write_text(f"email,mark\n{p[0].email},present\n", encoding="utf-8")
    out = StringIO()
    call_command("import_attendance", str(setup["meeting"].pk), str(path), stdout=out)
    assert Attendance.objects.get().mark == M.PRESENT
    # Like the roster imports, the command reports in Danish.
    assert out.getvalue().strip() == "1 registreret, 0 uændret."
    path.write_text("email,mark\nukendt@example.dk,present\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_attendance", str(setup["meeting"].pk), str(path))
    assert Attendance.objects.count() == 1


def test_admin_upload_refuses_a_file_over_the_import_size_limit(client, setup, settings):
    settings.LMS_IMPORT_MAX_BYTES = 10
    client.force_login(setup["coordinator"])
    url = reverse("attendance_admin:import", args=(setup["meeting"].pk,))
    good = SimpleUploadedFile("f.csv", f"email,mark\n{setup['people'][0].email},present\n".encode())
    response = client.post(url, {"file": good})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Filen er større end 10\xa0bytes."]
    assert not Attendance.objects.exists()


def test_admin_upload_lists_the_first_errors_and_counts_the_rest(client, setup):
    from lms.tabular import MAX_ERRORS_SHOWN

    client.force_login(setup["coordinator"])
    url = reverse("attendance_admin:import", args=(setup["meeting"].pk,))
    rows = "".join(f"ukendt{n}@example.dk,present\n" for n in range(MAX_ERRORS_SHOWN + 150))
    response = client.post(
        url, {"file": SimpleUploadedFile("f.csv", f"email,mark\n{rows}".encode())}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("Personen findes ikke for dette møde") == MAX_ERRORS_SHOWN
    assert "og 150 fejl mere" in html
    assert f"{MAX_ERRORS_SHOWN + 150} fejl: intet blev gemt" in html
    assert not Attendance.objects.exists()
