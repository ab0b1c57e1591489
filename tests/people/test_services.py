"""People, org-unit, job-category and role services: changes, audit log, refusals."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from lms.people import policy, services
from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment
from tests.factories import PersonFactory, UserFactory


def logs(action):
    return list(ModelLogEntry.objects.filter(action=action).order_by("pk"))


def assert_no_personal_data(entry, *values):
    blob = json.dumps(entry.data) + entry.label
    for value in values:
        assert value.lower() not in blob.lower()


@pytest.fixture
def coordinator(tree, make_staff):
    return make_staff(Role.COORDINATOR, tree["HJ"])


# --- People -------------------------------------------------------------------------------------


def test_person_create_logs_without_personal_data(tree, coordinator):
    person = services.person_create(
        name="Karen Jensen",
        email="Karen.Jensen@Hjoerring.dk",
        employee_number="A1",
        org_unit=tree["HJ-SKOLE"],
        by=coordinator,
    )
    assert person.email == "karen.jensen@hjoerring.dk"
    [entry] = logs("lms.person.create")
    assert entry.object_id == str(person.pk)
    assert entry.user_id == coordinator.pk
    assert entry.data["org_unit_id"] == tree["HJ-SKOLE"].pk
    assert_no_personal_data(entry, "Karen", "Jensen", "hjoerring.dk", "A1")


def test_person_create_outside_scope_is_refused_and_changes_nothing(tree, coordinator):
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(
            name="X", email="x@example.dk", org_unit=tree["FR-SKOLE"], by=coordinator
        )
    assert "org_unit" in excinfo.value.message_dict
    assert not Person.objects.exists()
    assert not logs("lms.person.create")


@pytest.mark.parametrize(
    "fields,error_field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": "TAKEN@example.dk"}, "email"),
        ({"employee_number": "E-TAKEN"}, "employee_number"),
        ({"name": ""}, "name"),
    ],
)
def test_person_create_bad_input(tree, coordinator, fields, error_field):
    PersonFactory(org_unit=tree["HJ"], email="taken@example.dk", employee_number="E-TAKEN")
    data = {"name": "Ny", "email": "ny@example.dk", "org_unit": tree["HJ-SKOLE"]} | fields
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(by=coordinator, **data)
    assert error_field in excinfo.value.message_dict
    assert Person.objects.count() == 1
    assert not logs("lms.person.create")


def test_person_update_logs_field_names_and_only_non_personal_values(tree, coordinator):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"], name="Old Name", email="old@example.dk")
    services.person_update(
        person=person,
        by=coordinator,
        name="New Name",
        email="new@example.dk",
        org_unit=tree["HJ-GYM"],
        job_category=person.job_category,
    )
    person.refresh_from_db()
    assert (person.name, person.email, person.org_unit) == (
        "New Name",
        "new@example.dk",
        tree["HJ-GYM"],
    )
    [entry] = logs("lms.person.update")
    assert set(entry.data["fields"]) == {"name", "email", "org_unit"}
    assert entry.data["values"] == {
        "org_unit": {"old": tree["HJ-SKOLE"].pk, "new": tree["HJ-GYM"].pk}
    }
    assert_no_personal_data(entry, "Old Name", "New Name", "old@example.dk", "new@example.dk")


def test_person_update_without_changes_logs_nothing(tree, coordinator):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    services.person_update(person=person, by=coordinator, name=person.name)
    assert not logs("lms.person.update")


def test_person_update_cannot_move_a_person_out_of_scope(tree, coordinator):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    with pytest.raises(ValidationError):
        services.person_update(person=person, by=coordinator, org_unit=tree["FR-SKOLE"])
    person.refresh_from_db()
    assert person.org_unit == tree["HJ-SKOLE"]
    assert not logs("lms.person.update")


def test_person_update_refused_outside_scope(tree, coordinator):
    person = PersonFactory(org_unit=tree["FR-SKOLE"], name="Fremmed")
    with pytest.raises(ValidationError):
        services.person_update(person=person, by=coordinator, name="Changed")
    person.refresh_from_db()
    assert person.name == "Fremmed"


def test_person_update_refuses_manager_cycle(tree, coordinator):
    boss = PersonFactory(org_unit=tree["HJ"])
    worker = PersonFactory(org_unit=tree["HJ-SKOLE"], manager=boss)
    with pytest.raises(ValidationError) as excinfo:
        services.person_update(person=boss, by=coordinator, manager=worker)
    assert "manager" in excinfo.value.message_dict
    boss.refresh_from_db()
    assert boss.manager is None


def test_person_update_inactive_needs_left_date(tree, coordinator):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    with pytest.raises(ValidationError) as excinfo:
        services.person_update(person=person, by=coordinator, active=False)
    assert "left_on" in excinfo.value.message_dict
    person.refresh_from_db()
    assert person.active


def test_person_mark_left_is_idempotent_and_logged(tree, coordinator):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    services.person_mark_left(person=person, left_on=dt.date(2024, 1, 31), by=coordinator)
    services.person_mark_left(person=person, left_on=dt.date(2024, 6, 1), by=coordinator)
    person.refresh_from_db()
    assert (person.active, person.left_on) == (False, dt.date(2024, 1, 31))
    assert len(logs("lms.person.mark_left")) == 1


# --- Role assignments ---------------------------------------------------------------------------


def test_role_assignment_create_and_delete_are_logged(tree, coordinator):
    grantee = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=grantee, email=grantee.email)
    assignment = services.role_assignment_create(
        user=grantee, role=Role.DEPARTMENT_CONTACT, org_unit=tree["HJ-BFU"], by=coordinator
    )
    assert policy.can(grantee, policy.Action.ORGUNIT_VIEW)
    [entry] = logs("lms.role.create")
    assert entry.data == {
        "user_id": grantee.pk,
        "role": "department_contact",
        "org_unit_id": tree["HJ-BFU"].pk,
    }
    assert_no_personal_data(entry, grantee.email)
    assignment_pk = assignment.pk
    services.role_assignment_delete(assignment=assignment, by=coordinator)
    assert not RoleAssignment.objects.filter(user=grantee).exists()
    assert not policy.can(grantee, policy.Action.ORGUNIT_VIEW)
    [entry] = logs("lms.role.delete")
    assert entry.object_id == str(assignment_pk)
    assert entry.data["role"] == "department_contact"


def test_role_over_a_unit_outside_scope_is_refused(tree, coordinator):
    grantee = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=grantee, email=grantee.email)
    before = RoleAssignment.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.role_assignment_create(
            user=grantee, role=Role.COORDINATOR, org_unit=tree["FR"], by=coordinator
        )
    assert "org_unit" in excinfo.value.message_dict
    assert RoleAssignment.objects.count() == before
    assert not logs("lms.role.create")


def test_role_for_a_user_outside_scope_is_refused(tree, coordinator):
    stranger = UserFactory()
    PersonFactory(org_unit=tree["FR-SKOLE"], user=stranger, email=stranger.email)
    with pytest.raises(ValidationError) as excinfo:
        services.role_assignment_create(
            user=stranger, role=Role.STEERING_GROUP, org_unit=tree["HJ"], by=coordinator
        )
    assert "user" in excinfo.value.message_dict
    assert not RoleAssignment.objects.filter(user=stranger).exists()


def test_role_manage_needs_the_grant(tree, make_staff):
    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ"])
    grantee = UserFactory()
    with pytest.raises(ValidationError):
        services.role_assignment_create(
            user=grantee, role=Role.STEERING_GROUP, org_unit=tree["HJ-BFU"], by=contact
        )
    assert not RoleAssignment.objects.filter(user=grantee).exists()


def test_role_revoke_outside_scope_is_refused(tree, coordinator, make_staff):
    other = make_staff(Role.COORDINATOR, tree["FR"])
    assignment = other.role_assignments.get()
    with pytest.raises(ValidationError):
        services.role_assignment_delete(assignment=assignment, by=coordinator)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert not logs("lms.role.delete")


def test_duplicate_role_is_refused(tree, coordinator):
    with pytest.raises(ValidationError):
        services.role_assignment_create(
            user=coordinator, role=Role.COORDINATOR, org_unit=tree["HJ"], by=None
        )


def test_unknown_role_is_refused(tree):
    with pytest.raises(ValidationError):
        services.role_assignment_create(user=UserFactory(), role="king", org_unit=tree["HJ"])


# --- Organisation units -------------------------------------------------------------------------


def test_org_unit_create_under_parent_and_logged(tree, coordinator):
    unit = services.org_unit_create(
        code="HJ-NY",
        name="Ny skole",
        kind=OrgUnit.Kind.WORKPLACE,
        parent=tree["HJ-BFU"],
        by=coordinator,
    )
    assert unit.get_parent() == tree["HJ-BFU"]
    [entry] = logs("lms.orgunit.create")
    assert entry.data["parent_id"] == tree["HJ-BFU"].pk


def test_org_unit_create_refused_outside_scope_or_at_root(tree, coordinator):
    count = OrgUnit.objects.count()
    with pytest.raises(ValidationError):
        services.org_unit_create(
            code="FR-NY",
            name="Ny",
            kind=OrgUnit.Kind.WORKPLACE,
            parent=tree["FR"],
            by=coordinator,
        )
    with pytest.raises(ValidationError):
        services.org_unit_create(
            code="ROOT", name="Ny kommune", kind=OrgUnit.Kind.MUNICIPALITY, by=coordinator
        )
    with pytest.raises(ValidationError):
        services.org_unit_create(
            code="HJ-SKOLE",
            name="Dublet",
            kind=OrgUnit.Kind.WORKPLACE,
            parent=tree["HJ"],
            by=coordinator,
        )
    assert OrgUnit.objects.count() == count
    assert not logs("lms.orgunit.create")


def test_org_unit_update_and_move(tree, coordinator):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    services.org_unit_update(
        unit=tree["HJ-SKOLE"],
        code="HJ-SKOLE",
        name="Nordskolen",
        kind="workplace",
        by=coordinator,
    )
    unit = services.org_unit_move(unit=tree["HJ-SKOLE"], new_parent=tree["HJ-GYM"], by=coordinator)
    assert unit.name == "Nordskolen"
    assert unit.get_parent() == tree["HJ-GYM"]
    # The person moves with the unit: the subtree query sees them under the new parent.
    assert person in Person.objects.in_subtree(OrgUnit.objects.get(code="HJ-GYM"))
    [update] = logs("lms.orgunit.update")
    assert update.data["fields"] == ["name"]
    [move] = logs("lms.orgunit.move")
    assert move.data == {"old_parent_id": tree["HJ-BFU"].pk, "new_parent_id": tree["HJ-GYM"].pk}


def test_org_unit_move_refused_into_itself_or_outside_scope(tree, coordinator):
    with pytest.raises(ValidationError):
        services.org_unit_move(unit=tree["HJ-BFU"], new_parent=tree["HJ-SKOLE"], by=coordinator)
    with pytest.raises(ValidationError):
        services.org_unit_move(unit=tree["HJ-BFU"], new_parent=tree["FR"], by=coordinator)
    assert OrgUnit.objects.get(code="HJ-BFU").get_parent() == tree["HJ"]
    assert not logs("lms.orgunit.move")


# --- Job categories -----------------------------------------------------------------------------


def test_job_category_create_update_logged_and_refused_without_grant(tree, coordinator, make_staff):
    superuser = UserFactory(is_superuser=True)
    category = services.job_category_create(
        code="LAE", name="Lærer", is_frontline=True, by=superuser
    )
    services.job_category_update(
        category=category, code="LAE", name="Lærer", is_frontline=False, by=superuser
    )
    assert logs("lms.jobcategory.create")[0].data["code"] == "LAE"
    assert logs("lms.jobcategory.update")[0].data["values"] == {
        "is_frontline": {"old": True, "new": False}
    }
    # One list for every municipality: a municipality's coordinator may not change it.
    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ"])
    for user in (contact, coordinator):
        with pytest.raises(ValidationError):
            services.job_category_create(code="X", name="X", by=user)
        with pytest.raises(ValidationError):
            services.job_category_update(
                category=category, code="LAE", name="Ændret", is_frontline=True, by=user
            )
    with pytest.raises(ValidationError):
        services.job_category_create(code="LAE", name="Dublet", by=superuser)
    assert list(JobCategory.objects.values_list("name", "is_frontline")) == [("Lærer", False)]
    assert len(logs("lms.jobcategory.update")) == 1


def test_log_actions_have_danish_labels():
    from django.utils import translation
    from wagtail.log_actions import registry

    with translation.override("da"):
        labels = dict(registry.get_choices())
    assert str(labels["lms.person.update"]) == "Rediger person"
    assert str(labels["lms.role.create"]) == "Tildel rolle"
