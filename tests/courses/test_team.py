"""The manager's team page: their active direct reports x required competences, in words."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from lms.competence.models import Evidence
from lms.competence.services import evidence as competence_services
from lms.people.models import Role
from tests.factories import (
    CompetenceFactory,
    JobCategoryFactory,
    PersonFactory,
    UserFactory,
    requirement,
)

pytestmark = pytest.mark.django_db

TEAM_URL = "/laering/team/"


@pytest.fixture
def teacher(db):
    return JobCategoryFactory(code="TEACHER", name="Lærer")


@pytest.fixture
def competences(tree, teacher):
    signs = CompetenceFactory(code="SIGNS", name="Kender bekymringstegn", validity_months=24)
    passing_on = CompetenceFactory(
        code="PASS_ON", name="Ved hvordan en bekymring videregives", validity_months=None
    )
    for competence in (signs, passing_on):
        requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])
    return {"signs": signs, "passing_on": passing_on}


def account(person):
    user = UserFactory(email=person.email)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def manager(tree, teacher):
    person = PersonFactory(
        name="Mona Leder", org_unit=tree["HJ-SKOLE"], job_category=JobCategoryFactory()
    )
    return account(person)


def report(manager_user, tree, teacher, **fields):
    fields.setdefault("org_unit", tree["HJ-SKOLE"])
    return PersonFactory(manager=manager_user.person, job_category=teacher, **fields)


def test_a_manager_sees_each_report_and_status_in_words(
    client, manager, tree, teacher, competences
):
    today = timezone.localdate()
    anna = report(manager, tree, teacher, name="Anna Andersen")
    bo = report(manager, tree, teacher, name="Bo Berg", org_unit=tree["HJ-BFU"])
    achieved = today - dt.timedelta(days=30)
    competence_services.evidence_record(
        person=anna,
        competence=competences["signs"],
        source=Evidence.Source.MEETING,
        source_reference="meeting:1",
        achieved_on=achieved,
    )
    competence_services.evidence_record(
        person=bo,
        competence=competences["passing_on"],
        source=Evidence.Source.MEETING,
        source_reference="meeting:1",
        achieved_on=achieved,
    )
    client.force_login(manager)
    response = client.get(reverse("courses:team"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mit teams kompetencer" in html
    rows = {row["person"].name: row["cells"] for row in response.context["rows"]}
    assert list(rows) == ["Anna Andersen", "Bo Berg"]
    columns = [c.name for c in response.context["columns"]]
    assert columns == ["Kender bekymringstegn", "Ved hvordan en bekymring videregives"]
    assert [cell.status for cell in rows["Anna Andersen"]] == ["valid", "missing"]
    assert [cell.status for cell in rows["Bo Berg"]] == ["missing", "valid"]
    until = competence_services.add_months(achieved, 24)
    assert f"Gyldig til {until:%-d}." in html
    assert "Mangler" in html
    assert "Gyldig, udløber ikke" in html


def test_only_active_direct_reports_are_shown(client, manager, tree, teacher, competences):
    report(manager, tree, teacher, name="Aktiv Medarbejder")
    report(
        manager,
        tree,
        teacher,
        name="Fratrådt Medarbejder",
        active=False,
        left_on=timezone.localdate(),
    )
    other_manager = PersonFactory(org_unit=tree["HJ-SKOLE"])
    PersonFactory(
        name="Andens Medarbejder",
        manager=other_manager,
        org_unit=tree["HJ-SKOLE"],
        job_category=teacher,
    )
    PersonFactory(name="Kollega Uden Leder", org_unit=tree["HJ-SKOLE"], job_category=teacher)
    # A report of a report is not the manager's direct report.
    lead = report(manager, tree, teacher, name="Mellemleder")
    PersonFactory(
        name="Indirekte Medarbejder", manager=lead, org_unit=tree["HJ-SKOLE"], job_category=teacher
    )
    client.force_login(manager)
    html = client.get(reverse("courses:team")).content.decode()
    assert "Aktiv Medarbejder" in html and "Mellemleder" in html
    for hidden in (
        "Fratrådt Medarbejder",
        "Andens Medarbejder",
        "Kollega Uden Leder",
        "Indirekte Medarbejder",
    ):
        assert hidden not in html


def no_team(client) -> str:
    """The team page for someone without a team: a 403 that says why, in Danish, with a way on."""
    response = client.get(reverse("courses:team"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Du har intet team her." in html
    assert 'href="/min-side/"' in html
    return html


def test_someone_who_manages_nobody_is_told_they_have_no_team(
    client, manager, tree, teacher, competences
):
    client.force_login(manager)
    no_team(client)


def test_a_manager_whose_reports_all_left_has_no_team(client, manager, tree, teacher):
    report(manager, tree, teacher, active=False, left_on=timezone.localdate())
    client.force_login(manager)
    no_team(client)


def test_a_coordinator_without_reports_has_no_team(client, make_staff, tree, competences):
    # A role shows the admin, not someone else's team.
    client.force_login(make_staff(Role.COORDINATOR, tree["HJ"]))
    no_team(client)


def test_a_manager_who_left_sees_nothing(client, manager, tree, teacher, competences):
    report(manager, tree, teacher)
    person = manager.person
    person.active = False
    person.left_on = timezone.localdate()
    person.save()
    client.force_login(manager)
    no_team(client)


def test_anonymous_is_sent_to_login(client):
    response = client.get(TEAM_URL)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_reports_without_requirements_are_listed_without_columns(client, manager, tree):
    report(manager, tree, JobCategoryFactory(), name="Ingen Krav")
    client.force_login(manager)
    html = client.get(reverse("courses:team")).content.decode()
    assert "Ingen Krav" in html
    assert "Der kræves ingen kompetencer" in html


def test_the_my_competences_page_links_to_the_team(client, manager, tree, teacher, competences):
    client.force_login(manager)
    assert reverse("courses:team") not in client.get("/mine-kompetencer/").content.decode()
    report(manager, tree, teacher)
    assert reverse("courses:team") in client.get("/mine-kompetencer/").content.decode()


def test_my_page_links_managers_to_their_team_and_nobody_else(
    client, manager, tree, teacher, competences
):
    client.force_login(manager)
    assert reverse("courses:team") not in client.get("/min-side/").content.decode()
    report(manager, tree, teacher)
    report(manager, tree, teacher)
    html = client.get("/min-side/").content.decode()
    assert f'href="{reverse("courses:team")}"' in html
    assert "2 medarbejdere refererer til dig." in html


def _add_reports(manager, tree, teacher, competences, count, start=0):
    for number in range(start, start + count):
        person = report(manager, tree, teacher, org_unit=tree["HJ-SKOLE" if number % 2 else "HJ"])
        competence_services.evidence_record(
            person=person,
            competence=competences["signs"],
            source=Evidence.Source.MEETING,
            source_reference=f"meeting:{number}",
            achieved_on=timezone.localdate(),
        )


# 13 until the base template's site settings came from the site cache; 8 until the user's roster
# entry and whether they hold a role came with the user (policy.users_for_request).
TEAM_QUERIES = 6


def test_the_team_page_reads_a_constant_number_of_queries(
    client, manager, tree, teacher, competences, assert_queries
):
    client.force_login(manager)
    _add_reports(manager, tree, teacher, competences, 3)
    # base.html's header asks the access policy whether to link to the admin.
    page = assert_queries(TEAM_QUERIES, lambda: client.get(reverse("courses:team")))
    assert len(page.context["rows"]) == 3
    _add_reports(manager, tree, teacher, competences, 27, start=3)
    page = assert_queries(TEAM_QUERIES, lambda: client.get(reverse("courses:team")))
    assert len(page.context["rows"]) == 30
