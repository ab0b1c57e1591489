"""The "Mine kompetencer" page and the competence admin: who sees what, in Danish."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lms.competence.models import Competence, Evidence, Requirement
from lms.competence.services import evidence as services
from lms.people.models import Role
from tests.factories import CompetenceFactory, PersonFactory, UserFactory

PAGE = "/mine-kompetencer/"
ADMIN_HOME = "/admin/"


def html_of(response) -> str:
    return response.content.decode()


# --- Mine kompetencer -----------------------------------------------------------------------------


@pytest.fixture
def employee(client, teacher):
    user = UserFactory(email=teacher.email)
    teacher.user = user
    teacher.save()
    client.force_login(user)
    return teacher


def test_the_page_needs_a_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and response.url.startswith("/konto/login/")


def test_the_page_shows_status_and_evidence_in_danish(client, employee, required, signs, jobs):
    today = dt.date.today()
    achieved = today - dt.timedelta(days=30)
    services.evidence_record(
        person=employee,
        competence=signs,
        source=Evidence.Source.MEETING,
        source_reference="meeting:1",
        achieved_on=achieved,
    )
    response = client.get(PAGE)
    assert response.status_code == 200
    html = html_of(response)
    assert "<h1>Mine kompetencer</h1>" in html
    assert "<caption>De kompetencer dit job kræver, og om du har dem</caption>" in html
    assert '<th scope="col">Kompetence</th>' in html
    assert '<th scope="row">Kender bekymringstegn</th>' in html
    expires = services.add_months(achieved, 24)
    months = [
        "januar", "februar", "marts", "april", "maj", "juni",
        "juli", "august", "september", "oktober", "november", "december",
    ]  # fmt: skip
    danish = f"{expires.day}. {months[expires.month - 1]} {expires.year}"
    assert f"Gyldig til {danish}" in html
    # The other required competence is missing.
    assert '<th scope="row">Ved hvordan en bekymring videregives</th>' in html
    assert "Mangler" in html
    # The evidence table.
    assert "Alt, der er registreret som dokumentation for dine kompetencer" in html
    assert "Deltagelse i møde" in html
    # The header links to the page, marked as the current page.
    assert f'<a href="{PAGE}" aria-current="page">Mine kompetencer</a>' in html


def test_expiring_expired_and_voided_are_shown(client, employee, required, signs, passing_on):
    today = dt.date.today()
    Evidence.objects.create(
        person=employee,
        competence=signs,
        source=Evidence.Source.EXTERNAL_CDE,
        source_reference="cde:1",
        achieved_on=today - dt.timedelta(days=700),
        expires_on=today + dt.timedelta(days=10),
    )
    old = Evidence.objects.create(
        person=employee,
        competence=passing_on,
        source=Evidence.Source.EXTERNAL_SIRI,
        source_reference="siri:1",
        achieved_on=today - dt.timedelta(days=900),
        expires_on=today - dt.timedelta(days=5),
    )
    html = html_of(client.get(PAGE))
    assert "Udløber snart: gyldig til" in html
    assert "Udløb " in html
    assert "Eksternt kursus: CDE (tidligere NCFE)" in html
    services.evidence_void(evidence=old, reason="Forkert person")
    html = html_of(client.get(PAGE))
    assert "Annulleret: Forkert person" in html
    assert "Mangler" in html


def test_an_employee_sees_only_their_own_evidence(client, employee, tree, jobs, required):
    other = PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=jobs["teacher"])
    secret = CompetenceFactory(code="OTHER", name="Kun kollegaens kompetence")
    services.evidence_record(
        person=other,
        competence=secret,
        source=Evidence.Source.MANUAL,
        source_reference="",
        achieved_on=dt.date(2025, 1, 1),
    )
    html = html_of(client.get(PAGE))
    assert "Kun kollegaens kompetence" not in html
    assert other.name not in html

    # The page takes no parameters: there is no way to ask for someone else's.
    def main(page):
        return page[page.index("<main") : page.index("</main>")]

    assert main(html_of(client.get(PAGE + f"?person={other.pk}"))) == main(html)


def test_nothing_required_and_nothing_recorded(client, employee):
    html = html_of(client.get(PAGE))
    assert "Der er i øjeblikket ingen kompetencekrav til dit job." in html
    assert "Der er ikke registreret noget endnu." in html


def test_a_user_without_roster_entry_gets_a_clear_message(client, db):
    client.force_login(UserFactory())
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "Din konto er endnu ikke knyttet til medarbejderlisten" in html_of(response)
    assert "<table" not in html_of(response)


# --- Admin ----------------------------------------------------------------------------------------


@pytest.fixture
def staff(client, tree, make_staff, mfa):
    def sign_in(role: Role | str, unit: str = "HJ"):
        if role == "employee":
            user = UserFactory()
            PersonFactory(org_unit=tree["HJ-SKOLE"], user=user, email=user.email)
        else:
            user = mfa(make_staff(role, tree[unit]))
        client.force_login(user)
        return user

    return sign_in


def outcome(response):
    if response.status_code == 302:
        if response.url == ADMIN_HOME:
            return "denied"
        return "away"
    return response.status_code


def options(response, name: str) -> set[str]:
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html_of(response), re.S)
    assert match, name
    return set(re.findall(r'<option value="([^"]*)"', match.group(1))) - {""}


EXPECTED = {
    # role: (competences index, competence add, requirements index, requirement add)
    Role.COORDINATOR: (200, 200, 200, 200),
    Role.DEPARTMENT_CONTACT: (200, "denied", 200, "denied"),
    Role.INSTITUTION_COORDINATOR: (200, "denied", 200, "denied"),
    Role.STEERING_GROUP: (200, "denied", 200, "denied"),
    "employee": ("away", "away", "away", "away"),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_against_the_competence_admin(role, staff, client, required):
    staff(role)
    urls = ["competences:index", "competences:add", "requirements:index", "requirements:add"]
    got = tuple(outcome(client.get(reverse(name))) for name in urls)
    assert got == EXPECTED[role]


def test_requirements_are_listed_within_scope_only(staff, client, required, tree):
    staff(Role.COORDINATOR, "FR")
    html = html_of(client.get(reverse("requirements:index")))
    assert reverse("requirements:edit", args=[required["fr_signs"].pk]) in html
    assert reverse("requirements:edit", args=[required["hj_signs"].pk]) not in html
    assert reverse("requirements:edit", args=[required["hj_pass_on"].pk]) not in html


def test_another_municipality_cannot_see_or_edit_a_requirement(staff, client, required, tree, jobs):
    staff(Role.COORDINATOR, "FR")
    hj = required["hj_signs"]
    assert client.get(reverse("requirements:edit", args=[hj.pk])).status_code == 404
    assert client.get(reverse("requirements:inspect", args=[hj.pk])).status_code == 404
    response = client.post(
        reverse("requirements:edit", args=[hj.pk]),
        {"competence": hj.competence_id, "org_unit": tree["FR"].pk, "job_categories": []},
    )
    assert response.status_code == 404
    assert client.post(reverse("requirements:delete", args=[hj.pk])).status_code == 404
    hj.refresh_from_db()
    assert hj.org_unit == tree["HJ"]
    assert set(hj.job_categories.all()) == {jobs["teacher"], jobs["pedagogue"]}


def test_the_requirement_form_offers_units_in_scope_only(staff, client, tree):
    staff(Role.COORDINATOR, "FR")
    units = options(client.get(reverse("requirements:add")), "org_unit")
    assert units == {str(tree[c].pk) for c in ("FR", "FR-BFU", "FR-SKOLE", "FR-GYM")}


def test_a_coordinator_creates_a_requirement_through_the_service(staff, client, tree, jobs, signs):
    user = staff(Role.COORDINATOR, "FR")
    data = {
        "competence": signs.pk,
        "org_unit": tree["FR-BFU"].pk,
        "job_categories": [jobs["teacher"].pk, jobs["pedagogue"].pk],
    }
    response = client.post(reverse("requirements:add"), data)
    assert response.status_code == 302, html_of(response)[:3000]
    requirement = Requirement.objects.get()
    assert requirement.org_unit == tree["FR-BFU"]
    assert ModelLogEntry.objects.get(action="lms.requirement.create").user == user
    # The same again: a clear error, nothing saved.
    response = client.post(reverse("requirements:add"), data)
    assert response.status_code == 200
    assert "Kompetencen kræves allerede i denne enhed" in html_of(response), response.context[
        "form"
    ].errors
    # A unit outside the area is not a valid choice.
    response = client.post(reverse("requirements:add"), {**data, "org_unit": tree["HJ"].pk})
    assert response.status_code == 200
    assert Requirement.objects.count() == 1


def test_a_coordinator_creates_and_edits_a_competence(staff, client, tree):
    user = staff(Role.COORDINATOR)
    data = {"code": "NEW", "name": "Ny kompetence", "description": "", "validity_months": "12"}
    data["active"] = "on"
    # Their municipality's own (a shared one is for a regional Infohus).
    data["owner"] = tree["HJ"].pk
    response = client.post(reverse("competences:add"), data)
    assert response.status_code == 302, html_of(response)[:3000]
    competence = Competence.objects.get(code="NEW")
    assert competence.validity_months == 12
    assert ModelLogEntry.objects.get(action="lms.competence.create").user == user
    response = client.post(
        reverse("competences:edit", args=[competence.pk]), {**data, "validity_months": ""}
    )
    assert response.status_code == 302
    competence.refresh_from_db()
    assert competence.validity_months is None
    # A duplicate code: a clear error in Danish, nothing saved.
    response = client.post(reverse("competences:add"), data)
    assert response.status_code == 200
    assert "Der findes allerede en kompetence med denne kode." in html_of(response)
    assert Competence.objects.count() == 1


def test_a_department_contact_cannot_change_a_competence(staff, client, signs):
    staff(Role.DEPARTMENT_CONTACT, "HJ-BFU")
    response = client.post(
        reverse("competences:edit", args=[signs.pk]),
        {"code": signs.code, "name": "Hacked", "validity_months": "1", "active": "on"},
    )
    assert outcome(response) in {"denied", 404}
    signs.refresh_from_db()
    assert signs.name == "Kender bekymringstegn"


def test_the_inspect_and_history_views_within_scope(staff, client, required):
    staff(Role.STEERING_GROUP)
    requirement = required["hj_signs"]
    response = client.get(reverse("requirements:inspect", args=[requirement.pk]))
    assert response.status_code == 200
    assert "Kender bekymringstegn" in html_of(response)
    # Read-only roles get no edit form and no history (Wagtail asks for "change" there).
    for name in ("requirements:edit", "requirements:history"):
        assert outcome(client.get(reverse(name, args=[requirement.pk]))) in {"denied", 404}
    staff(Role.COORDINATOR)
    response = client.get(reverse("requirements:history", args=[requirement.pk]))
    assert response.status_code == 200
