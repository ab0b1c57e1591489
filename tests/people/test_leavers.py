"""Someone who leaves loses every role at once: the roster, not the account, decides."""

import datetime as dt

import pytest

from lms.people import policy, services
from lms.people.models import Person, Role, User
from lms.people.services.roster_import import roster_import
from tests.factories import PersonFactory

A = policy.Action
HEADER = "employee_number,name,email,org_unit_code,job_category\r\n"


@pytest.fixture
def coordinator(tree, make_staff, mfa):
    user = make_staff(Role.COORDINATOR, tree["HJ"])
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=user, email=user.email, employee_number="C1")
    return mfa(user)


def fresh(user) -> User:
    """A new user object, as the next request loads it (no cached assignments)."""
    return User.objects.get(pk=user.pk)


def assert_has_no_role(user, tree):
    assert not policy.can(user, A.ADMIN_ACCESS)
    assert not policy.can(user, A.PERSON_VIEW, tree["HJ-SKOLE"])
    assert policy.scope_paths(user, A.PERSON_VIEW) == []
    assert not policy.people(user, A.PERSON_VIEW).exists()
    assert not policy.has_staff_role(user)
    assert not user.has_perm("wagtailadmin.access_admin")


def test_coordinator_with_active_person_has_the_role(coordinator, tree):
    user = fresh(coordinator)
    assert policy.can(user, A.ADMIN_ACCESS)
    assert policy.scope_paths(user, A.PERSON_VIEW) == [tree["HJ"].path]


def test_marked_left_by_the_service_loses_admin_and_scope(coordinator, tree, client):
    client.force_login(coordinator)
    assert client.get("/admin/").status_code == 200
    services.person_mark_left(person=coordinator.person, left_on=dt.date(2025, 1, 31))
    assert_has_no_role(fresh(coordinator), tree)
    # The very next request is refused: the admin is gone at once, not at the next sign-in.
    assert client.get("/admin/").status_code == 302


def test_marked_left_by_the_import_loses_admin_and_scope(coordinator, tree, client):
    client.force_login(coordinator)
    csv = HEADER + "E1,Anden Person,anden@example.dk,HJ-SKOLE,\r\n"
    result = roster_import(source=csv.encode(), scope=tree["HJ"], mark_missing_as_left=True)
    assert result.ok and result.marked_left == 1
    assert not Person.objects.get(user=coordinator).active
    assert_has_no_role(fresh(coordinator), tree)
    assert client.get("/admin/").status_code == 302


def test_coming_back_restores_the_roles(coordinator, tree):
    services.person_mark_left(person=coordinator.person, left_on=dt.date(2025, 1, 31))
    services.person_update(person=coordinator.person, active=True)
    assert policy.can(fresh(coordinator), A.PERSON_VIEW, tree["HJ-SKOLE"])


def test_account_without_a_person_keeps_its_roles(tree, make_staff):
    consultant = make_staff(Role.COORDINATOR, tree["HJ"])
    assert not Person.objects.filter(user=consultant).exists()
    assert policy.can(fresh(consultant), A.PERSON_VIEW, tree["HJ-SKOLE"])


def test_assignments_still_load_in_one_query(coordinator, assert_queries):
    user = fresh(coordinator)

    def roles_and_can():
        policy.roles(user)
        return policy.can(user, A.PERSON_VIEW)

    assert_queries(1, roles_and_can, warm=False)
