"""The admin import flow: upload, preview, confirm; and who may not."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.people.models import OrgUnit, Person, Role
from lms.people.viewsets.imports import SESSION_KEY, ImportMenuItem
from tests.factories import JobCategoryFactory, PersonFactory, UserFactory

URL = reverse("people_import")
HEADER = "employee_number;name;email;org_unit_code;job_category;manager_employee_number"


def roster_file(*rows, name="liste.csv"):
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    return SimpleUploadedFile(name, text.encode("cp1252"), content_type="text/csv")


GOOD = [
    "2001;Søren Æbelø;soren@hjoerring.dk;HJ-SKOLE;LAERER;",
    "2002;Mia;mia@hjoerring.dk;HJ;;2001",
]


@pytest.fixture
def coordinator(tree, make_staff, mfa, client):
    JobCategoryFactory(code="LAERER", name="Lærer")
    user = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    client.force_login(user)
    return user


def upload(client, unit, file, kind="roster", **extra):
    return client.post(URL, {"kind": kind, "file": file, "scope": unit.pk if unit else "", **extra})


def preview_url(client):
    return reverse("people_import_preview", args=[client.session[SESSION_KEY]["token"]])


def test_upload_preview_confirm(client, coordinator, tree):
    stay = PersonFactory(employee_number="1", email="a@x.dk", org_unit=tree["HJ-BFU"])
    elsewhere = PersonFactory(employee_number="2", email="b@x.dk", org_unit=tree["FR"])
    page = client.get(URL)
    assert page.status_code == 200
    assert "Medarbejderliste" in page.content.decode()

    response = upload(client, tree["HJ"], roster_file(*GOOD), mark_missing_as_left="on")
    assert response.status_code == 302
    assert response.url == preview_url(client)
    stored = client.session[SESSION_KEY]["path"]
    # Kept in the private storage, never in the public media folder.
    assert storages["imports"].exists(stored)
    assert not default_storage.exists(stored)

    preview = client.get(response.url)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Det ændrer importen" in html
    assert "Søren Æbelø" in html  # Windows-1252 read correctly
    assert "Bekræft importen" in html
    assert preview.context["result"].created == 2
    assert preview.context["result"].marked_left == 1
    assert not Person.objects.filter(employee_number__in=["2001", "2002"]).exists()

    done = client.post(response.url)
    assert done.status_code == 302 and done.url == URL
    messages = [str(m).strip() for m in get_messages(done.wsgi_request)]
    assert messages == [
        "Importen af liste.csv er gennemført: "
        "2 oprettet, 0 ændret, 0 uændrede, 1 markeret som fratrådt"
    ]
    mia = Person.objects.get(employee_number="2002")
    assert mia.manager.employee_number == "2001"
    stay.refresh_from_db()
    elsewhere.refresh_from_db()
    assert not stay.active  # inside the area, not in the file
    assert elsewhere.active  # outside the area: untouched
    assert (
        ModelLogEntry.objects.filter(action="lms.person.import_create", user=coordinator).count()
        == 2
    )
    # The stored file is gone and the same confirmation cannot be replayed.
    assert not storages["imports"].exists(stored)
    assert SESSION_KEY not in client.session
    assert client.post(response.url).status_code == 302
    assert Person.objects.count() == 4


def test_preview_lists_every_error_and_confirm_changes_nothing(client, coordinator, tree):
    response = upload(
        client,
        tree["HJ"],
        roster_file("2001;;bad;FR-SKOLE;;", "2001;Bo;bo@x.dk;HJ;;9999"),
    )
    preview = client.get(response.url)
    html = preview.content.decode()
    assert "Filen har fejl. Intet er gemt." in html
    assert "Bekræft importen" not in html
    errors = {(e.row, e.column) for e in preview.context["result"].errors}
    assert errors == {
        (2, "name"),
        (2, "email"),
        (2, "org_unit_code"),  # outside the coordinator's area
        (3, "employee_number"),
        (3, "manager_employee_number"),
    }
    assert "ligger uden for det område, du må importere til" in html
    confirm = client.post(response.url)
    assert confirm.status_code == 200
    assert Person.objects.count() == 0


def test_org_units_import_in_the_area(client, coordinator, tree):
    file = SimpleUploadedFile(
        "enheder.csv", b"code,name,kind,parent_code\nHJ-NY,Ny,arbejdssted,HJ\n"
    )
    response = upload(client, tree["HJ"], file, kind="org_units")
    assert client.get(response.url).context["result"].created == 1
    client.post(response.url)
    assert OrgUnit.objects.get(code="HJ-NY").get_parent() == tree["HJ"]


def test_coordinator_cannot_choose_an_area_outside_their_scope(client, coordinator, tree):
    response = upload(client, tree["FR"], roster_file("2001;A;a@x.dk;FR;;"))
    assert response.status_code == 200
    assert response.context["form"].errors["scope"]
    assert SESSION_KEY not in client.session
    assert Person.objects.count() == 0


def test_upload_needs_an_area_and_a_readable_size(client, coordinator, tree, settings):
    response = upload(client, None, roster_file(*GOOD))
    assert response.context["form"].errors["scope"]
    settings.LMS_IMPORT_MAX_BYTES = 10
    response = upload(client, tree["HJ"], roster_file(*GOOD))
    assert response.context["form"].errors["file"] == ["Filen er større end 10\xa0bytes."]


def test_a_stale_or_foreign_token_is_refused(client, coordinator, tree):
    upload(client, tree["HJ"], roster_file(*GOOD))
    wrong = reverse("people_import_preview", args=["0" * 32])
    assert client.post(wrong).url == URL
    assert Person.objects.count() == 0


@pytest.mark.parametrize("role", [Role.STEERING_GROUP, Role.DEPARTMENT_CONTACT])
def test_staff_without_the_import_permission_are_refused(client, tree, make_staff, mfa, role):
    user = mfa(make_staff(role, tree["HJ"]))
    client.force_login(user)
    response = client.get(URL)
    # Wagtail turns PermissionDenied into a redirect to the dashboard with an error message...
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    # ...and into a plain 403 for scripts.
    assert client.get(URL, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    response = upload(client, tree["HJ"], roster_file(*GOOD))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert Person.objects.count() == 0


def test_employee_is_refused(client, tree):
    user = UserFactory()
    PersonFactory(user=user, org_unit=tree["HJ-SKOLE"])
    client.force_login(user)
    response = upload(client, tree["HJ"], roster_file(*GOOD))
    # A signed-in employee holds no admin access: sent to the front page, nothing imported.
    assert response.status_code == 302
    assert response.url == "/"
    assert Person.objects.count() == 1


def test_a_preview_is_refused_after_the_role_is_revoked(client, coordinator, tree):
    response = upload(client, tree["HJ"], roster_file(*GOOD))
    coordinator.role_assignments.all().delete()
    assert client.post(response.url).status_code == 302
    assert Person.objects.count() == 0


def test_menu_item_asks_the_policy(tree, make_staff):
    item = ImportMenuItem()
    request = RequestFactory().get("/admin/")
    request.user = make_staff(Role.COORDINATOR, tree["HJ"])
    assert item.is_shown(request)
    request.user = make_staff(Role.STEERING_GROUP, tree["HJ"])
    assert not item.is_shown(request)
    request.user = UserFactory()
    assert not item.is_shown(request)


def test_preview_lists_the_first_errors_and_counts_the_rest(client, coordinator, tree):
    from lms.tabular import MAX_ERRORS_SHOWN

    # Every row names an unknown unit: one error per row.
    rows = [f"{3000 + n};P{n};p{n}@x.dk;NOWHERE;;" for n in range(MAX_ERRORS_SHOWN + 50)]
    response = upload(client, tree["HJ"], roster_file(*rows))
    page = client.get(response.url)
    assert len(page.context["errors"]) == MAX_ERRORS_SHOWN
    assert page.context["hidden_errors"] == 50
    assert "og 50 fejl mere" in page.content.decode()
    assert Person.objects.count() == 0


def test_every_import_form_shares_the_size_limit():
    from attendance.viewsets.attendance import ImportForm as AttendanceImportForm
    from lms.competence.viewsets.evidence import ImportForm as EvidenceImportForm
    from lms.people.forms.imports import ImportForm as PeopleImportForm
    from lms.tabular import validate_import_size

    for form in (PeopleImportForm, EvidenceImportForm, AttendanceImportForm):
        assert validate_import_size in form.base_fields["file"].validators, form
