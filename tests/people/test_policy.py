"""The access policy as a matrix: every role x every action, inside and outside its scope."""

import datetime

import pytest

from lms.people import policy
from lms.people.models import Role
from tests.factories import JobCategoryFactory, PersonFactory, RoleAssignmentFactory, UserFactory

A = policy.Action

# The core's own actions. The feature apps' actions (competence, meetings) are specified by
# their own tests; here they appear only in the coordinator and superuser checks below.
CORE = [
    A.ADMIN_ACCESS,
    A.ORGUNIT_VIEW,
    A.ORGUNIT_MANAGE,
    A.PERSON_VIEW,
    A.PERSON_MANAGE,
    A.PERSON_IMPORT,
    A.PERSON_EXPORT,
    A.JOBCATEGORY_VIEW,
    A.JOBCATEGORY_MANAGE,
    A.ROLE_VIEW,
    A.ROLE_MANAGE,
]
# Written out by hand on purpose (not derived from policy.GRANTS): this is the specification.
EXPECTED = {
    # Job categories are shared by every municipality: only a superuser manages them.
    "coordinator": set(CORE) - {A.JOBCATEGORY_MANAGE},
    # Data minimisation: a department contact sees coverage (aggregates), not the named roster.
    "department_contact": {A.ADMIN_ACCESS, A.ORGUNIT_VIEW, A.JOBCATEGORY_VIEW},
    "institution_coordinator": {
        A.ADMIN_ACCESS,
        A.ORGUNIT_VIEW,
        A.PERSON_VIEW,
        A.PERSON_MANAGE,
        A.PERSON_EXPORT,
        A.JOBCATEGORY_VIEW,
    },
    "steering_group": {A.ADMIN_ACCESS, A.ORGUNIT_VIEW, A.JOBCATEGORY_VIEW},
    # A leader reaches the admin; what they do there the features grant (no named roster).
    "leader": {A.ADMIN_ACCESS, A.ORGUNIT_VIEW, A.JOBCATEGORY_VIEW},
    "employee": set(),
    "anonymous": set(),
    "superuser": set(CORE),
}
# The unit each role is assigned to, and the units outside its scope.
HOME = {
    "coordinator": "HJ",
    "department_contact": "HJ-BFU",
    "institution_coordinator": "HJ-GYM",
    "steering_group": "HJ",
    "leader": "HJ",
}
INSIDE = {
    "coordinator": "HJ-SKOLE",
    "department_contact": "HJ-SKOLE",
    "institution_coordinator": "HJ-GYM",
    "steering_group": "HJ-GYM",
    "leader": "HJ-SKOLE",
    "employee": "HJ-SKOLE",
    "anonymous": "HJ-SKOLE",
    "superuser": "HJ-SKOLE",
}
OUTSIDE = {
    "coordinator": ["FR", "FR-SKOLE"],
    "department_contact": ["HJ", "HJ-GYM", "FR-SKOLE"],
    "institution_coordinator": ["HJ", "HJ-SKOLE", "FR-GYM"],
    "steering_group": ["FR", "FR-SKOLE"],
    "leader": ["FR", "FR-SKOLE"],
    "employee": ["FR-SKOLE"],
    "anonymous": ["FR-SKOLE"],
}
ROLES = list(EXPECTED)


@pytest.fixture
def actor(tree):
    from django.contrib.auth.models import AnonymousUser

    def make(role: str):
        if role == "anonymous":
            return AnonymousUser()
        if role == "superuser":
            return UserFactory(is_superuser=True, is_staff=True)
        user = UserFactory()
        if role == "employee":
            PersonFactory(org_unit=tree["HJ-SKOLE"], user=user, email=user.email)
        else:
            RoleAssignmentFactory(user=user, role=Role(role), org_unit=tree[HOME[role]])
        return user

    return make


def target(action: str, unit):
    """An object of the kind `action` is about, placed in `unit`."""
    kind = action.split(".")[0]
    if kind == "orgunit":
        return unit
    if kind in {"person"}:
        return PersonFactory(org_unit=unit)
    if kind == "role":
        return RoleAssignmentFactory(org_unit=unit, role=Role.STEERING_GROUP)
    if kind == "jobcategory":
        return JobCategoryFactory()
    return None


@pytest.mark.parametrize("action", CORE, ids=str)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_anywhere_and_inside_scope(role, action, actor, tree):
    user = actor(role)
    allowed = action in EXPECTED[role]
    assert policy.can(user, action) is allowed
    obj = target(action, tree[INSIDE[role]])
    if obj is not None:
        assert policy.can(user, action, obj) is allowed


@pytest.mark.parametrize("action", CORE, ids=str)
@pytest.mark.parametrize("role", [r for r in ROLES if r != "superuser"])
def test_matrix_outside_scope(role, action, actor, tree):
    user = actor(role)
    for code in OUTSIDE[role]:
        obj = target(action, tree[code])
        if obj is None:
            continue
        # Job categories are one list for everybody: a grant is enough, there is no "outside".
        expected = action in policy.UNSCOPED_ACTIONS and action in EXPECTED[role]
        assert policy.can(user, action, obj) is expected, code


# Every registered action: the core's and every installed feature's.
EVERY = sorted(policy.every_action())


@pytest.mark.parametrize("action", EVERY, ids=str)
def test_superuser_may_do_everything_everywhere(action, actor, tree):
    user = actor("superuser")
    for code in ("HJ", "FR-SKOLE", "FR-GYM"):
        obj = target(action, tree[code])
        assert policy.can(user, action, obj)


def test_coordinator_may_do_everything_but_manage_job_categories(actor, tree):
    user = actor("coordinator")
    # Grant-only actions (an urgent message, sent by a leader) are not the coordinator's either.
    assert {action for action in EVERY if policy.can(user, action)} == set(EVERY) - {
        A.JOBCATEGORY_MANAGE
    } - policy._grant_only
    assert not policy.can(user, A.JOBCATEGORY_MANAGE, JobCategoryFactory())
    assert policy.can(actor("superuser"), A.JOBCATEGORY_MANAGE, JobCategoryFactory())


def test_department_contact_sees_no_named_people(actor, tree):
    user = actor("department_contact")
    PersonFactory(org_unit=tree["HJ-SKOLE"])
    for action in (A.PERSON_VIEW, A.PERSON_EXPORT, A.PERSON_MANAGE, A.PERSON_IMPORT):
        assert not policy.people(user, action).exists()
    # The units of their administration stay visible: coverage is reported per unit.
    assert set(policy.org_units(user, A.ORGUNIT_VIEW)) == {tree["HJ-BFU"], tree["HJ-SKOLE"]}


@pytest.mark.parametrize("role", ["coordinator", "superuser"])
def test_inactive_user_may_do_nothing(role, actor, tree):
    user = actor(role)
    user.is_active = False
    for action in EVERY:
        assert not policy.can(user, action)
        assert not policy.can(user, action, target(action, tree["HJ-SKOLE"]))


@pytest.mark.parametrize(
    "role,visible",
    [
        ("coordinator", {"HJ", "HJ-BFU", "HJ-SKOLE", "HJ-GYM"}),
        ("department_contact", set()),
        ("institution_coordinator", {"HJ-GYM"}),
        ("steering_group", set()),
        ("employee", set()),
        ("anonymous", set()),
        ("superuser", {"HJ", "HJ-BFU", "HJ-SKOLE", "HJ-GYM", "FR", "FR-BFU", "FR-SKOLE", "FR-GYM"}),
    ],
)
def test_scoped_querysets_list_only_the_scope(role, visible, actor, tree):
    user = actor(role)
    people = {code: PersonFactory(org_unit=unit) for code, unit in tree.items()}
    listed = set(policy.people(user, A.PERSON_VIEW))
    assert listed >= {people[code] for code in visible}
    assert {p.org_unit.code for p in listed if p.user_id is None} == visible


def test_scope_paths_are_minimal(tree):
    user = UserFactory()
    for code in ("HJ", "HJ-BFU", "HJ-SKOLE", "FR-GYM"):
        RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree[code])
    RoleAssignmentFactory(user=user, role=Role.STEERING_GROUP, org_unit=tree["FR"])
    policy.forget(user)
    assert policy.scope_paths(user, A.PERSON_VIEW) == sorted([tree["HJ"].path, tree["FR-GYM"].path])
    # The steering group's wider FR grant counts only for what it grants.
    assert policy.scope_paths(user, A.ORGUNIT_VIEW) == sorted([tree["HJ"].path, tree["FR"].path])


def test_scope_paths_do_not_merge_siblings_with_a_common_prefix(tree):
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree["HJ-BFU"])
    RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree["HJ-GYM"])
    assert policy.scope_paths(user, A.PERSON_VIEW) == sorted(
        [tree["HJ-BFU"].path, tree["HJ-GYM"].path]
    )


def test_may_assign_role_only_within_role_manage_scope(tree, make_staff):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ"])
    for role in Role:
        assert policy.may_assign_role(coordinator, role=role, org_unit=tree["HJ-SKOLE"])
        assert not policy.may_assign_role(coordinator, role=role, org_unit=tree["FR"])
        assert not policy.may_assign_role(contact, role=role, org_unit=tree["HJ-SKOLE"])


def test_may_move_org_unit(tree, make_staff):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ-BFU"])
    superuser = UserFactory(is_superuser=True)
    assert policy.may_move_org_unit(coordinator, unit=tree["HJ-SKOLE"], new_parent=tree["HJ-BFU"])
    assert not policy.may_move_org_unit(coordinator, unit=tree["HJ-SKOLE"], new_parent=tree["HJ"])
    assert not policy.may_move_org_unit(coordinator, unit=tree["HJ-GYM"], new_parent=tree["HJ-BFU"])
    assert not policy.may_move_org_unit(coordinator, unit=tree["HJ-SKOLE"], new_parent=None)
    assert policy.may_move_org_unit(superuser, unit=tree["HJ-SKOLE"], new_parent=None)


def test_assignable_users_are_those_with_a_person_in_scope(tree, make_staff):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    inside = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=inside, email=inside.email)
    outside = UserFactory()
    PersonFactory(org_unit=tree["FR-SKOLE"], user=outside, email=outside.email)
    no_person = UserFactory()
    assert set(policy.assignable_users(coordinator)) == {inside}
    superuser = UserFactory(is_superuser=True)
    assert {inside, outside, no_person} <= set(policy.assignable_users(superuser))


def test_users_with_is_the_inverse_of_can(tree, make_staff):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    bfu = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])
    fr = make_staff(Role.COORDINATOR, tree["FR"])
    steering = make_staff(Role.STEERING_GROUP, tree["HJ"])
    superuser = UserFactory(is_superuser=True)
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    assert set(policy.users_with(A.PERSON_VIEW, obj=person)) == {hj, superuser}
    assert set(policy.users_with(A.PERSON_VIEW)) == {hj, fr, superuser}
    assert set(policy.users_with(A.ORGUNIT_VIEW, obj=person.org_unit)) == {
        hj,
        bfu,
        steering,
        superuser,
    }
    assert steering in set(policy.users_with(A.ORGUNIT_VIEW, obj=tree["HJ-GYM"]))


def test_users_with_leaves_out_role_holders_who_left(tree, make_staff):
    from lms.people.services import person_mark_left

    stays = make_staff(Role.COORDINATOR, tree["HJ"])
    leaves = make_staff(Role.COORDINATOR, tree["HJ"])
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=stays, email=stays.email)
    left = PersonFactory(org_unit=tree["HJ-SKOLE"], user=leaves, email=leaves.email)
    person_mark_left(person=left, left_on=datetime.date(2026, 1, 31), by=None)
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    assert set(policy.users_with(A.PERSON_VIEW, obj=person)) == {stays}
    assert policy.can(stays, A.PERSON_VIEW, person)


def test_wagtail_permission_policy_adapter(tree, make_staff):
    from wagtail.permissions import policy_registry

    from lms.people.models import OrgUnit, Person

    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])
    institution = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    superuser = UserFactory(is_superuser=True)
    inside = PersonFactory(org_unit=tree["HJ-GYM"])
    outside = PersonFactory(org_unit=tree["HJ-SKOLE"])
    people = policy_registry.get_by_type(Person)
    assert people.user_has_permission(institution, "view")
    assert people.user_has_permission(institution, "export")
    assert not people.user_has_permission(institution, "import")
    assert not people.user_has_permission(contact, "view")
    assert not people.user_has_permission(contact, "export")
    assert not people.user_has_permission(superuser, "delete")  # never deleted
    assert people.user_has_permission_for_instance(institution, "view", inside)
    assert not people.user_has_permission_for_instance(institution, "view", outside)
    assert set(people.instances_user_has_permission_for(institution, "view")) == {inside}
    assert set(people.instances_user_has_permission_for(contact, "view")) == set()
    assert set(people.instances_user_has_permission_for(superuser, "view")) == {inside, outside}
    assert set(people.users_with_permission_for_instance("change", outside)) == {
        coordinator,
        superuser,
    }
    assert institution in set(people.users_with_permission("view"))
    assert contact not in set(people.users_with_permission("view"))
    units = policy_registry.get_by_type(OrgUnit)
    assert set(units.instances_user_has_permission_for(contact, "view")) == {
        tree["HJ-BFU"],
        tree["HJ-SKOLE"],
    }
