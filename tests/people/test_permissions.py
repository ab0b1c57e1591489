"""The one Wagtail permission policy (lms.people.permissions.OrgUnitPermissionPolicy): told the
path from a row to its org unit, it serves every scoped model of every app."""

import pytest
from django.apps import apps
from wagtail.permissions import policy_registry

from lms.people import policy
from lms.people.models import Person, Role
from lms.people.permissions import OrgUnitPermissionPolicy
from tests.factories import PersonFactory, UserFactory

A = policy.Action


@pytest.mark.parametrize(
    ("label", "path"),
    [
        ("people.OrgUnit", ""),
        ("people.Person", "org_unit"),
        ("people.JobCategory", None),
        ("people.RoleAssignment", "org_unit"),
        ("competence.Requirement", "org_unit"),
        ("attendance.Meeting", "org_unit"),
        ("attendance.ActionCard", "org_unit"),
        ("attendance.CardDistribution", "org_unit"),
    ],
)
def test_each_app_registers_the_one_class_told_its_path(label, path):
    registered = policy_registry.get_by_type(apps.get_model(label), fallback=False)
    assert type(registered) is OrgUnitPermissionPolicy
    assert registered.org_unit_path == path


def test_the_unit_is_followed_along_the_path(tree, make_staff):
    people = OrgUnitPermissionPolicy(
        Person, actions={"view": A.PERSON_VIEW}, org_unit_path="org_unit"
    )
    institution = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    superuser = UserFactory(is_superuser=True)
    inside = PersonFactory(org_unit=tree["HJ-GYM"])
    outside = PersonFactory(org_unit=tree["HJ-SKOLE"])
    assert people.path_field == "org_unit__path"
    assert people.org_unit_of(inside) == tree["HJ-GYM"]
    assert people.user_has_permission_for_instance(institution, "view", inside)
    assert not people.user_has_permission_for_instance(institution, "view", outside)
    assert not people.user_has_permission_for_instance(institution, "change", inside)  # unmapped
    assert set(people.instances_user_has_permission_for(institution, "view")) == {inside}
    # A row not yet placed in the tree is in nobody's scope: a superuser's only.
    unplaced = Person(name="Ny")
    assert people.org_unit_of(unplaced) is None
    assert not people.user_has_permission_for_instance(institution, "view", unplaced)
    assert people.user_has_permission_for_instance(superuser, "view", unplaced)
    assert set(people.users_with_permission_for_instance("view", unplaced)) == {superuser}


def test_a_listing_replaces_the_scope_of_its_action_and_adds_to_the_others(tree, make_staff):
    gym = PersonFactory(org_unit=tree["HJ-GYM"])
    school = PersonFactory(org_unit=tree["HJ-SKOLE"])
    people = OrgUnitPermissionPolicy(
        Person,
        actions={"view": A.PERSON_VIEW, "change": A.PERSON_MANAGE},
        org_unit_path="org_unit",
        listings={A.PERSON_VIEW: lambda user, rows: rows.filter(pk=school.pk)},
    )
    institution = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    assert set(people.instances_user_has_permission_for(institution, "view")) == {school}
    assert set(people.instances_user_has_permission_for(institution, "change")) == {gym}
    assert set(people.instances_user_has_any_permission_for(institution, ["view", "change"])) == {
        gym,
        school,
    }
