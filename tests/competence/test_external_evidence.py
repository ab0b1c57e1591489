"""External courses (CDE / formerly NCFE, SIRI, Infohus Nordjylland) as evidence: for one person
with an optional certificate file, and in bulk from CSV/XLSX (all or nothing, per-row errors)."""

import datetime as dt
import io

import pandas as pd
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.competence.models import Evidence
from lms.competence.services import evidence as services
from lms.competence.services.imports import evidence_import
from lms.people.models import Role
from tests.factories import CompetenceFactory, PersonFactory

SIRI = Evidence.Source.EXTERNAL_SIRI
CDE = Evidence.Source.EXTERNAL_CDE
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def upload(content: bytes, name: str = "bevis.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def record(person, competence, *, by=None, **kwargs):
    kwargs.setdefault("source", SIRI)
    kwargs.setdefault("achieved_on", dt.date(2025, 3, 10))
    return services.evidence_record_external(person=person, competence=competence, by=by, **kwargs)


@pytest.fixture
def coordinator(make_staff, tree):
    return make_staff(Role.COORDINATOR, tree["HJ"])


# --- The service ---------------------------------------------------------------------------------


def test_record_with_a_file(teacher, signs, coordinator):
    evidence, created = record(
        teacher, signs, by=coordinator, reference="SIRI-123", attachment=upload(PDF)
    )
    assert created
    assert evidence.source == SIRI
    assert evidence.source_reference == "external_siri:SIRI-123"
    assert evidence.recorded_by == coordinator
    assert evidence.expires_on == dt.date(2027, 3, 10)
    evidence.refresh_from_db()
    assert evidence.attachment.name.endswith(".pdf")
    assert "bevis" not in evidence.attachment.name  # never the uploader's file name
    with evidence.attachment.open("rb") as stored:
        assert stored.read() == PDF
    assert ModelLogEntry.objects.filter(action="lms.evidence.record").count() == 1
    assert ModelLogEntry.objects.filter(action="lms.evidence.attach").count() == 1


@pytest.mark.parametrize(("content", "extension"), [(PNG, "png"), (JPEG, "jpg")])
def test_images_are_accepted_by_content(teacher, signs, coordinator, content, extension):
    evidence, _ = record(
        teacher, signs, by=coordinator, attachment=upload(content, "scan.pdf", "application/pdf")
    )
    assert Evidence.objects.get(pk=evidence.pk).attachment.name.endswith(f".{extension}")


def test_recording_the_same_course_twice_records_once(teacher, signs, coordinator):
    first, created = record(teacher, signs, by=coordinator, reference="A1")
    again, created_again = record(teacher, signs, by=coordinator, reference=" A1 ")
    assert created and not created_again and again.pk == first.pk
    # Without a reference: the provider and the date identify the course.
    no_ref, _ = record(teacher, signs, by=coordinator, achieved_on=dt.date(2025, 1, 5))
    same, created = record(teacher, signs, by=coordinator, achieved_on=dt.date(2025, 1, 5))
    assert not created and same.pk == no_ref.pk
    # Another provider is another course.
    _, created = record(teacher, signs, by=coordinator, source=CDE, reference="A1")
    assert created
    assert Evidence.objects.count() == 3


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": Evidence.Source.MEETING}, "source"),
        ({"source": Evidence.Source.MANUAL}, "source"),
        ({"source": "external_unknown"}, "source"),
        ({"achieved_on": "tomorrow"}, "achieved_on"),
        ({"reference": "x" * 151}, "reference"),
        ({"attachment": "text"}, "attachment"),
        ({"attachment": "empty"}, "attachment"),
        ({"attachment": "large"}, "attachment"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(teacher, signs, coordinator, kwargs, field):
    if kwargs.get("achieved_on") == "tomorrow":
        kwargs["achieved_on"] = timezone.localdate() + dt.timedelta(days=1)
    attachments = {
        "text": upload(b"just some text", "bevis.pdf"),
        "empty": upload(b"", "bevis.pdf"),
        "large": upload(b"%PDF-" + b"0" * (5 * 1024 * 1024), "bevis.pdf"),
    }
    if "attachment" in kwargs:
        kwargs["attachment"] = attachments[kwargs["attachment"]]
    with pytest.raises(ValidationError) as error:
        record(teacher, signs, by=coordinator, **kwargs)
    assert field in error.value.message_dict
    assert not Evidence.objects.exists()


def test_someone_who_left_and_an_inactive_competence_are_refused(teacher, signs, coordinator):
    signs.active = False
    signs.save()
    teacher.active, teacher.left_on = False, timezone.localdate()
    teacher.save()
    with pytest.raises(ValidationError) as error:
        record(teacher, signs, by=coordinator)
    assert {"competence", "person"} <= set(error.value.message_dict)
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.COORDINATOR, "FR"),  # another municipality
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),  # an institution the person is not in
        (Role.INSTITUTION_COORDINATOR, "HJ"),  # sees evidence, but does not record it
        (Role.DEPARTMENT_CONTACT, "HJ"),
        (Role.STEERING_GROUP, "HJ"),
    ],
)
def test_who_may_not_record(make_staff, tree, teacher, signs, role, unit):
    with pytest.raises(ValidationError):
        record(teacher, signs, by=make_staff(role, tree[unit]))
    assert not Evidence.objects.exists()


def test_an_employee_may_not_record_for_themselves(teacher, signs, django_user_model):
    user = django_user_model.objects.create_user(email=teacher.email, password="x")
    teacher.user = user
    teacher.save()
    with pytest.raises(ValidationError):
        record(teacher, signs, by=user)


# --- The import ----------------------------------------------------------------------------------


def csv(*rows: str, header: str = "email;employee_number;competence;source;achieved_on;reference"):
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def people(tree, jobs):
    return {
        "anna": PersonFactory(email="anna@hj.dk", employee_number="H1", org_unit=tree["HJ-SKOLE"]),
        "bo": PersonFactory(email="bo@hj.dk", employee_number="H2", org_unit=tree["HJ-GYM"]),
        "frida": PersonFactory(
            email="frida@fr.dk", employee_number="F1", org_unit=tree["FR-SKOLE"]
        ),
    }


def test_import_records_every_row_and_is_idempotent(people, signs, passing_on, coordinator):
    data = csv(
        "anna@hj.dk;;SIGNS;SIRI;2025-03-10;S-1",
        ";H2;signs;CDE;10-03-2025;",
        "ANNA@hj.dk;H1;PASS_ON;Infohus Nordjylland;10.03.2025;IN-7",
        "bo@hj.dk;;PASS_ON;Eksternt kursus: SIRI;2025-01-02;S-9",
    )
    dry = evidence_import(source=data, filename="kurser.csv", by=coordinator, dry_run=True)
    assert dry.ok and dry.created == 4 and not Evidence.objects.exists()
    assert "Prøvekørsel" in dry.summary()

    result = evidence_import(source=data, filename="kurser.csv", by=coordinator)
    assert result.ok, result.errors
    assert (result.created, result.unchanged) == (4, 0)
    anna = Evidence.objects.filter(person=people["anna"])
    assert set(anna.values_list("source", flat=True)) == {
        SIRI,
        Evidence.Source.EXTERNAL_INFOHUS_NORD,
    }
    bo_signs = Evidence.objects.get(person=people["bo"], competence=signs)
    assert bo_signs.source == CDE and bo_signs.achieved_on == dt.date(2025, 3, 10)
    assert bo_signs.source_reference == "external_cde:2025-03-10"
    assert all(e.recorded_by == coordinator for e in Evidence.objects.all())

    again = evidence_import(source=data, filename="kurser.csv", by=coordinator)
    assert again.ok and (again.created, again.unchanged) == (0, 4)
    assert Evidence.objects.count() == 4
    assert "0 kurser registreret, 4 var allerede registreret" in again.summary()


def test_import_from_excel(people, signs, coordinator):
    frame = pd.DataFrame(
        {
            "employee_number": ["H1"],
            "competence": ["SIGNS"],
            "source": ["siri"],
            "achieved_on": [dt.datetime(2025, 3, 10)],
        }
    )
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    result = evidence_import(source=buffer.getvalue(), filename="kurser.xlsx", by=coordinator)
    assert result.ok, result.errors
    assert Evidence.objects.get().achieved_on == dt.date(2025, 3, 10)


def test_every_bad_row_is_reported_and_nothing_is_written(people, signs, coordinator):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    data = csv(
        "anna@hj.dk;;SIGNS;SIRI;2025-03-10;S-1",  # fine
        "ukendt@hj.dk;;SIGNS;SIRI;2025-03-10;",  # 3: unknown email
        "anna@hj.dk;;NOPE;SIRI;2025-03-10;",  # 4: unknown competence
        "anna@hj.dk;;SIGNS;Coursera;2025-03-10;",  # 5: bad source
        f"anna@hj.dk;;SIGNS;SIRI;{tomorrow};",  # 6: in the future
        "anna@hj.dk;;SIGNS;SIRI;10/13/2025;",  # 7: not a date
        "anna@hj.dk;;SIGNS;SIRI;31-02-2025;",  # 8: no such day
        "anna@hj.dk;H1;SIGNS;SIRI;2025-03-10;S-1",  # 9: same as row 2
        ";;SIGNS;SIRI;2025-03-10;",  # 10: nobody
        "anna@hj.dk;H2;SIGNS;SIRI;2025-03-10;S-2",  # 11: two different people
        "anna@hj.dk;;;;;",  # 12: three values missing
    )
    result = evidence_import(source=data, filename="kurser.csv", by=coordinator)
    assert not result.ok
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "email"),
        (4, "competence"),
        (5, "source"),
        (6, "achieved_on"),
        (7, "achieved_on"),
        (8, "achieved_on"),
        (9, None),
        (10, "email"),
        (11, "employee_number"),
        (12, "competence"),
        (12, "source"),
        (12, "achieved_on"),
    }
    messages = {(e.row, e.column): e.message for e in result.errors}
    assert "ukendt@hj.dk" in messages[(3, "email")]
    assert "NOPE" in messages[(4, "competence")]
    assert "Coursera" in messages[(5, "source")]
    assert "fremtiden" in messages[(6, "achieved_on")]
    assert "række 2" in messages[(9, None)]
    assert "intet blev gemt" in result.summary()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("data", "column"),
    [
        (csv("x", header="email;competence;source"), "achieved_on"),
        (csv("SIGNS;SIRI;2025-03-10", header="competence;source;achieved_on"), "email"),
        (b"", None),
        (b"\x00\x01binary", None),
    ],
)
def test_unusable_files_are_refused(people, signs, coordinator, data, column):
    result = evidence_import(source=data, filename="kurser.csv", by=coordinator)
    assert not result.ok
    assert any(error.column == column for error in result.errors)
    assert not Evidence.objects.exists()


def test_people_outside_the_importers_area_read_as_unknown(people, signs, tree, make_staff):
    fr = make_staff(Role.COORDINATOR, tree["FR"])
    result = evidence_import(
        source=csv("anna@hj.dk;;SIGNS;SIRI;2025-03-10;", ";H2;SIGNS;SIRI;2025-03-10;"),
        filename="kurser.csv",
        by=fr,
    )
    assert {(e.row, e.column) for e in result.errors} == {(2, "email"), (3, "employee_number")}
    assert "medarbejderlisten i dit område" in result.errors[0].message
    assert not Evidence.objects.exists()


def test_a_person_who_left_is_an_error(people, signs, coordinator):
    anna = people["anna"]
    anna.active, anna.left_on = False, timezone.localdate()
    anna.save()
    result = evidence_import(
        source=csv("anna@hj.dk;;SIGNS;SIRI;2025-03-10;"), filename="k.csv", by=coordinator
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "email")]


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),
        (Role.DEPARTMENT_CONTACT, "HJ"),
        (Role.STEERING_GROUP, "HJ"),
    ],
)
def test_who_may_not_import(people, signs, make_staff, tree, role, unit):
    result = evidence_import(
        source=csv(";H2;SIGNS;SIRI;2025-03-10;"), filename="k.csv", by=make_staff(role, tree[unit])
    )
    assert not result.ok and result.errors[0].row is None
    assert not Evidence.objects.exists()


def test_the_command(people, signs, tmp_path, capsys):
    good = tmp_path / "kurser.csv"
    good.write_bytes(csv("anna@hj.dk;;SIGNS;SIRI;2025-03-10;S-1"))
    call_command("import_evidence", str(good), "--dry-run")
    assert not Evidence.objects.exists()
    call_command("import_evidence", str(good))
    assert Evidence.objects.count() == 1
    assert "1 kursus registreret" in capsys.readouterr().out

    bad = tmp_path / "fejl.csv"
    bad.write_bytes(csv("ukendt@hj.dk;;SIGNS;SIRI;2025-03-10;"))
    with pytest.raises(CommandError):
        call_command("import_evidence", str(bad))
    assert "række 2" in capsys.readouterr().err
    assert Evidence.objects.count() == 1


# --- The admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, coordinator, mfa):
    mfa(coordinator)
    client.force_login(coordinator)
    return client


def test_record_form_in_the_admin(admin_client, teacher, signs):
    url = reverse("evidence:record")
    page = admin_client.get(url, {"person": teacher.pk})
    assert page.status_code == 200
    response = admin_client.post(
        url,
        {
            "person": teacher.pk,
            "competence": signs.pk,
            "source": SIRI,
            "achieved_on": "2025-03-10",
            "reference": "S-1",
            "attachment": upload(PDF),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("evidence:person", args=(teacher.pk,))
    evidence = Evidence.objects.get()
    assert evidence.attachment

    person_page = admin_client.get(response["Location"]).content.decode()
    attachment_url = reverse("evidence:attachment", args=(evidence.pk,))
    assert attachment_url in person_page
    download = admin_client.get(attachment_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_record_form_shows_errors_and_writes_nothing(admin_client, teacher, signs):
    response = admin_client.post(
        reverse("evidence:record"),
        {
            "person": teacher.pk,
            "competence": signs.pk,
            "source": SIRI,
            "achieved_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "attachment": upload(b"MZ\x90\x00 an exe", "bevis.pdf"),
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "achieved_on" in errors and "attachment" in errors
    assert not Evidence.objects.exists()


def test_record_form_offers_only_people_in_the_users_area(admin_client, teacher, tree, jobs):
    outsider = PersonFactory(org_unit=tree["FR-SKOLE"], job_category=jobs["teacher"])
    form = admin_client.get(reverse("evidence:record")).context["form"]
    people = set(form.fields["person"].queryset)
    assert teacher in people and outsider not in people


def test_import_upload_preview_confirm(admin_client, people, signs):
    data = csv("anna@hj.dk;;SIGNS;SIRI;2025-03-10;S-1")
    response = admin_client.post(
        reverse("evidence:import"), {"file": upload(data, "kurser.csv", "text/csv")}
    )
    assert response.status_code == 302
    preview = admin_client.get(response["Location"])
    assert preview.status_code == 200
    html = preview.content.decode()
    assert people["anna"].name in html and "H1" in html and "SIGNS" in html
    assert not Evidence.objects.exists()
    done = admin_client.post(response["Location"])
    assert done.status_code == 302
    assert Evidence.objects.count() == 1


def test_import_preview_shows_row_errors(admin_client, people, signs):
    data = csv("ukendt@hj.dk;;SIGNS;SIRI;2025-03-10;")
    response = admin_client.post(
        reverse("evidence:import"), {"file": upload(data, "kurser.csv", "text/csv")}
    )
    preview = admin_client.get(response["Location"]).content.decode()
    assert "ukendt@hj.dk" in preview
    assert admin_client.post(response["Location"]).status_code == 200
    assert not Evidence.objects.exists()


def _with_attachment(person, signs):
    evidence, _ = record(person, signs, attachment=upload(PDF))
    return reverse("evidence:attachment", args=(evidence.pk,)), evidence


@pytest.mark.parametrize(
    ("role", "unit", "allowed"),
    [
        (Role.COORDINATOR, "HJ", True),
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM", True),  # their own institution's person
        (Role.COORDINATOR, "FR", False),
        (Role.INSTITUTION_COORDINATOR, "FR-GYM", False),
        (Role.DEPARTMENT_CONTACT, "HJ", False),
    ],
)
def test_who_may_open_a_certificate_file(
    client, make_staff, mfa, tree, jobs, signs, role, unit, allowed
):
    gym_teacher = PersonFactory(org_unit=tree["HJ-GYM"], job_category=jobs["teacher"])
    url, _ = _with_attachment(gym_teacher, signs)
    user = mfa(make_staff(role, tree[unit]))
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == (200 if allowed else 404)
    person_page = client.get(reverse("evidence:person", args=(gym_teacher.pk,)))
    assert (person_page.status_code == 200) == allowed


def test_an_employee_cannot_open_certificate_files(client, teacher, signs, django_user_model):
    url, _ = _with_attachment(teacher, signs)
    user = django_user_model.objects.create_user(email=teacher.email, password="x")
    client.force_login(user)
    assert client.get(url).status_code in (302, 403, 404)


def test_evidence_search_finds_only_people_in_scope(admin_client, teacher, tree, jobs):
    PersonFactory(name="Fjern Person", org_unit=tree["FR-SKOLE"], job_category=jobs["teacher"])
    response = admin_client.get(reverse("evidence:index"), {"q": "Person"})
    html = response.content.decode()
    assert teacher.name in html and "Fjern Person" not in html


def test_another_competence_file_import_row_with_inactive_competence(people, coordinator):
    CompetenceFactory(code="OLD", name="Gammel", active=False)
    result = evidence_import(
        source=csv("anna@hj.dk;;OLD;SIRI;2025-03-10;"), filename="k.csv", by=coordinator
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "competence")]


def test_import_refuses_dates_out_of_range(people, signs, coordinator):
    """Issue 8: the ranges of lms.bounds apply to imports too; nothing is recorded."""
    data = csv("anna@hj.dk;;SIGNS;SIRI;1999-12-31;S-1", "bo@hj.dk;;SIGNS;SIRI;2025-03-10;S-2")
    result = evidence_import(source=data, filename="kurser.csv", by=coordinator)
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "achieved_on")]
    assert "01.01.2000" in result.errors[0].message
    assert not Evidence.objects.exists()
