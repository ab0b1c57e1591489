"""Min side: where everyone lands after signing in, with what is theirs and nobody else's."""

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
    RoleAssignmentFactory,
    UserFactory,
    requirement,
)

# Every test starts from the same seeded site (see module_db).
pytestmark = pytest.mark.usefixtures("seeded_site_module")

MY_PAGE = "/min-side/"
PASSWORD = "korrekt-hest-batteri"


def verified_user(**fields):
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_my_page_has_a_fixed_address():
    assert reverse("site:my_page") == MY_PAGE


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(MY_PAGE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize("staff", [False, True])
def test_everyone_lands_on_my_page_after_signing_in(client, seeded_site, tree, staff):
    user = verified_user()
    if staff:
        RoleAssignmentFactory(user=user, role=Role.DEPARTMENT_CONTACT, org_unit=tree["HJ-BFU"])
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == MY_PAGE


def test_next_still_wins_over_my_page(client, seeded_site):
    user = verified_user()
    response = client.post(
        reverse("account_login") + "?next=/moeder/", {"login": user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/moeder/"


def test_an_employee_sees_their_own_competences_and_the_route_to_report_a_concern(
    client, seeded_site, tree
):
    teacher = JobCategoryFactory(name="Lærer")
    signs = CompetenceFactory(name="Kender bekymringstegn")
    passing = CompetenceFactory(name="Ved hvordan en bekymring gives videre")
    requirement(competence=signs, org_unit=tree["HJ"], job_categories=[teacher])
    requirement(competence=passing, org_unit=tree["HJ"], job_categories=[teacher])
    user = UserFactory()
    person = PersonFactory(
        user=user, email=user.email, org_unit=tree["HJ-SKOLE"], job_category=teacher
    )
    competence_services.evidence_record(
        person=person,
        competence=signs,
        source=Evidence.Source.MANUAL,
        source_reference="test",
        achieved_on=timezone.localdate(),
    )
    # A colleague's status never shows.
    other = PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=teacher, name="Anden Kollega")

    client.force_login(user)
    response = client.get(MY_PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Min side</h1>" in html
    assert person.name in html
    assert '<h2 id="my-page-competences">Mine kompetencer</h2>' in html
    assert "Kender bekymringstegn" in html
    assert "Ved hvordan en bekymring gives videre" in html
    assert "Mangler" in html
    assert other.name not in html
    assert "/bekymring/" in html
    # No administration for an employee, in the header or on the page.
    assert reverse("wagtailadmin_home") not in html
    assert "Administration" not in html


def test_staff_see_the_administration_in_the_header_and_on_my_page(client, seeded_site, tree):
    for role, unit in (
        (Role.COORDINATOR, "HJ"),
        (Role.DEPARTMENT_CONTACT, "HJ-BFU"),
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),
        (Role.STEERING_GROUP, "HJ"),
    ):
        user = UserFactory()
        RoleAssignmentFactory(user=user, role=role, org_unit=tree[unit])
        client.force_login(user)
        html = client.get(MY_PAGE).content.decode()
        nav = html[html.index('class="site-nav"') : html.index("</nav>")]
        assert f'href="{reverse("wagtailadmin_home")}"' in nav, role
        assert "Gå til administrationen" in html, role
        # Also on every other page's header.
        assert reverse("wagtailadmin_home") in client.get("/").content.decode(), role


def test_the_header_links_to_my_page(client, seeded_site, tree):
    user = UserFactory()
    PersonFactory(user=user, email=user.email, org_unit=tree["HJ-SKOLE"])
    client.force_login(user)
    html = client.get("/").content.decode()
    assert f'href="{MY_PAGE}"' in html
    assert ">Min side<" in html


def test_an_account_without_a_roster_entry_is_told_so(client, seeded_site):
    client.force_login(UserFactory())
    html = client.get(MY_PAGE).content.decode()
    assert "ikke knyttet til medarbejderlisten" in html
    assert 'id="my-page-competences"' not in html


def test_sections_come_from_the_registry(client, seeded_site, tree):
    """The core names no feature: what Min side shows is what the apps registered."""
    from lms.site import my_page

    names = {section.name for section in my_page._sections.values()}
    assert {
        "competence.status",
        "attendance.meetings",
        "attendance.requests",
        "courses.learning",
        "courses.team",
    } <= names
