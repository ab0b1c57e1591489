"""The request's user comes with their roster entry and whether they hold a role (one query):
an employee's pages ask nothing more of the access policy, and nothing is kept beyond the
request, so a role granted or revoked, or a departure, shows on the very next page."""

import datetime as dt

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lms.people import policy
from lms.people.backends import ALLAUTH_BACKEND
from lms.people.models import Role, RoleAssignment
from lms.people.services.people import person_mark_left
from lms.people.services.role_assignments import role_assignment_create, role_assignment_delete
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.usefixtures("seeded_site_module")

PASSWORD = "korrekt-hest-batteri"
ADMIN_LINK = f'href="{reverse("wagtailadmin_home")}"'


def header(client, path="/") -> str:
    html = client.get(path).content.decode()
    return html[html.index('class="site-nav"') : html.index("</nav>")]


def queries_of(client, path="/") -> list[str]:
    client.get(path)
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in context.captured_queries]


@pytest.fixture
def employee(tree):
    user = UserFactory()
    PersonFactory(user=user, email=user.email, org_unit=tree["HJ-SKOLE"])
    return user


def test_an_employees_page_reads_neither_roles_nor_roster_entry_apart(client, employee):
    client.force_login(employee)
    sqls = queries_of(client)
    assert not [sql for sql in sqls if "people_roleassignment" in sql and "EXISTS" not in sql]
    assert not [sql for sql in sqls if sql.lstrip().startswith('SELECT "people_person"')]
    user = policy.users_for_request().get(pk=employee.pk)
    policy.user_loaded(user)
    assert policy.person_of(user).org_unit.code == "HJ-SKOLE"
    assert policy.roles(user) == set()


def test_a_granted_role_shows_the_administration_on_the_next_request(client, employee, tree):
    client.force_login(employee)
    assert ADMIN_LINK not in header(client)
    assignment = role_assignment_create(
        user=employee, role=Role.INSTITUTION_COORDINATOR, org_unit=tree["HJ-GYM"]
    )
    assert ADMIN_LINK in header(client)
    assert ADMIN_LINK in header(client, "/min-side/")
    role_assignment_delete(assignment=assignment)
    assert ADMIN_LINK not in header(client)
    assert ADMIN_LINK not in header(client, "/min-side/")


def test_someone_who_left_loses_the_administration_on_the_next_request(client, tree):
    user = UserFactory()
    person = PersonFactory(user=user, email=user.email, org_unit=tree["HJ-SKOLE"])
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, org_unit=tree["HJ"])
    client.force_login(user)
    assert ADMIN_LINK in header(client)
    person_mark_left(person=person, left_on=dt.date(2026, 1, 31))
    assert ADMIN_LINK not in header(client)
    # Nor does the admin let them in.
    assert client.get(reverse("wagtailadmin_home")).status_code == 302


def test_an_account_without_a_roster_entry_keeps_its_roles(client, tree):
    user = UserFactory()
    RoleAssignment.objects.create(user=user, role=Role.STEERING_GROUP, org_unit=tree["HJ"])
    client.force_login(user)
    assert ADMIN_LINK in header(client)
    loaded = policy.user_loaded(policy.users_for_request().get(pk=user.pk))
    assert policy.person_of(loaded) is None
    assert policy.roles(loaded) == {Role.STEERING_GROUP}


def test_a_person_linked_during_the_request_is_found(employee, tree):
    user = UserFactory()
    loaded = policy.user_loaded(policy.users_for_request().get(pk=user.pk))
    assert policy.person_of(loaded) is None
    person = PersonFactory(email=user.email, org_unit=tree["HJ-SKOLE"])
    person.user = user
    person.save()
    policy.forget(loaded)
    assert policy.person_of(loaded) == person


def test_signing_in_uses_the_account_backend_and_a_wrong_password_is_refused(client, employee):
    employee.set_password(PASSWORD)
    employee.save()
    assert not client.login(email=employee.email, password="forkert")
    assert client.login(email=employee.email, password=PASSWORD)
    assert client.session[BACKEND_SESSION_KEY] == "lms.people.backends.AccountBackend"


def test_a_session_signed_in_through_allauths_backend_stays_signed_in(client, employee):
    client.force_login(employee, backend=ALLAUTH_BACKEND)
    response = client.get("/min-side/")
    assert response.status_code == 200
    assert response.context["user"] == employee


def test_a_signed_in_pages_links_need_no_query_of_the_sites(client, employee):
    """Min side links to Wagtail pages: the site came with the site cache (selectors.site_info)."""
    client.force_login(employee)
    assert not [sql for sql in queries_of(client, "/min-side/") if "wagtailcore_site" in sql]


def test_a_site_moved_to_another_root_is_served_from_there_at_once(client, employee):
    from wagtail.models import Page, Site

    client.force_login(employee)
    client.get("/min-side/")
    site = Site.objects.get(is_default_site=True)
    home = site.root_page
    other = home.add_child(instance=Page(title="Anden forside", slug="anden"))
    other.save_revision().publish()
    site.root_page = other
    site.save()
    try:
        assert client.get("/").context["page"].pk == other.pk
    finally:
        site.root_page = home
        site.save()
