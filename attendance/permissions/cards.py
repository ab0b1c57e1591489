"""Wagtail permission policies for Action Cards and their distributions, answering from
lms.people.policy: a card is scoped by its owning unit, a distribution by the place holding the
copies. Both have an `org_unit`, which the base adapter cannot know about, so the instance-level
answers go through it. Distributions are recorded or deleted, never edited in place."""

from __future__ import annotations

from django.db.models import QuerySet

from attendance.models import ActionCard, CardDistribution
from lms.people import policy
from lms.people.models import User
from lms.people.permissions.organisation import AccessPolicyPermissionPolicy

A = policy.Action


class OrgUnitScopedPermissionPolicy(AccessPolicyPermissionPolicy):
    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        return super().user_has_permission_for_instance(user, action, instance.org_unit)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return super().user_has_any_permission_for_instance(user, actions, instance.org_unit)

    def users_with_any_permission_for_instance(self, actions, instance) -> QuerySet[User]:
        return super().users_with_any_permission_for_instance(actions, instance.org_unit)


card_permission_policy = OrgUnitScopedPermissionPolicy(
    ActionCard,
    actions={"view": A.ACTIONCARD_VIEW, "add": A.ACTIONCARD_MANAGE, "change": A.ACTIONCARD_MANAGE},
    path_field="org_unit__path",
)
distribution_permission_policy = OrgUnitScopedPermissionPolicy(
    CardDistribution,
    actions={
        "view": A.DISTRIBUTION_VIEW,
        "add": A.DISTRIBUTION_RECORD,
        "delete": A.DISTRIBUTION_RECORD,
        "export": A.DISTRIBUTION_VIEW,
    },
    path_field="org_unit__path",
)


def register() -> None:
    from wagtail.permissions import policy_registry, register_permission_policy

    for model, permission_policy in (
        (ActionCard, card_permission_policy),
        (CardDistribution, distribution_permission_policy),
    ):
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, permission_policy, exact_class=True)
