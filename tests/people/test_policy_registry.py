"""A feature adds its actions and grants to the access policy without editing the core."""

from enum import StrEnum

import pytest

from lms.competence import access as competence_access
from lms.people import policy
from lms.people.models import Role
from tests.factories import RoleAssignmentFactory, UserFactory


class Action(StrEnum):
    THING_VIEW = "thing.view"
    THING_MANAGE = "thing.manage"


@pytest.fixture
def registry(monkeypatch):
    """The policy's registrations, restored after the test."""
    monkeypatch.setattr(policy, "_actions", set(policy._actions))
    monkeypatch.setattr(policy, "_unscoped", set(policy._unscoped))
    monkeypatch.setattr(policy, "_grant_only", set(policy._grant_only))
    monkeypatch.setattr(policy, "_granted", {r: set(a) for r, a in policy._granted.items()})
    monkeypatch.setattr(policy, "_table", None)


def test_the_features_register_their_actions_from_ready():
    assert {"meeting.view", "actioncard.approve", "evidence.record"} <= policy.every_action()
    assert set(policy.Action) <= policy.every_action()
    assert competence_access.Action.COMPETENCE_VIEW in policy.UNSCOPED_ACTIONS


def test_a_new_feature_plugs_in(registry, tree):
    policy.actions_register(actions=Action)
    policy.grants_add(role=Role.STEERING_GROUP, actions={Action.THING_VIEW})

    # The coordinator holds every registered action, whenever it was registered.
    assert Action.THING_MANAGE in policy.GRANTS[Role.COORDINATOR]
    assert Action.THING_VIEW in policy.GRANTS[Role.STEERING_GROUP]
    assert Action.THING_MANAGE not in policy.GRANTS[Role.STEERING_GROUP]

    steering = UserFactory()
    RoleAssignmentFactory(user=steering, role=Role.STEERING_GROUP, org_unit=tree["HJ"])
    assert policy.can(steering, Action.THING_VIEW, tree["HJ-SKOLE"])
    assert not policy.can(steering, Action.THING_VIEW, tree["FR"])
    assert not policy.can(steering, Action.THING_MANAGE)
    assert set(policy.users_with(Action.THING_VIEW, obj=tree["HJ-SKOLE"])) == {steering}


def test_a_grant_only_action_is_held_by_its_grantees_not_by_the_coordinator(registry, tree):
    policy.actions_register(actions=Action, grant_only={Action.THING_MANAGE})
    policy.grants_add(role=Role.LEADER, actions={Action.THING_MANAGE})

    assert Action.THING_VIEW in policy.GRANTS[Role.COORDINATOR]
    assert Action.THING_MANAGE not in policy.GRANTS[Role.COORDINATOR]
    leader, coordinator = UserFactory(), UserFactory()
    RoleAssignmentFactory(user=leader, role=Role.LEADER, org_unit=tree["HJ"])
    RoleAssignmentFactory(user=coordinator, role=Role.COORDINATOR, org_unit=tree["HJ"])
    assert policy.can(leader, Action.THING_MANAGE, tree["HJ-SKOLE"])
    assert not policy.can(leader, Action.THING_MANAGE, tree["FR"])
    assert not policy.can(coordinator, Action.THING_MANAGE)
    assert set(policy.users_with(Action.THING_MANAGE, obj=tree["HJ-SKOLE"])) == {leader}
    with pytest.raises(ValueError):
        policy.actions_register(actions=[], grant_only={"thing.other"})


def test_registering_again_changes_nothing(registry):
    before = dict(policy.GRANTS)
    competence_access.register()
    assert dict(policy.GRANTS) == before


def test_an_unregistered_action_is_a_mistake_not_a_no(registry, db):
    with pytest.raises(LookupError):
        policy.can(UserFactory(), "thing.view")
    with pytest.raises(ValueError):
        policy.grants_add(role=Role.STEERING_GROUP, actions={"thing.view"})
    with pytest.raises(ValueError):
        policy.grants_add(role=Role.COORDINATOR, actions={policy.Action.PERSON_VIEW})
