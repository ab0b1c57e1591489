"""Wagtail permission policies that answer from the access policy (lms.people.policy).

Wagtail's admin views, menus and listings ask a permission policy about actions such as "add",
"change", "delete", "view" and (ours) "export". These adapters translate each into a
policy.Action for their model and let lms.people.policy decide, per instance and as scoped
querysets. An action without a mapping is refused for everyone, superusers included: people are
never deleted (they are marked left and later anonymised), and org units and job categories are
protected by the roster that points at them.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from functools import reduce

from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy

from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, Person, RoleAssignment, User

A = policy.Action


class AccessPolicyPermissionPolicy(BasePermissionPolicy):
    """Maps Wagtail actions onto policy actions for one model.

    `actions` maps a Wagtail action to a policy action; `path_field` is the lookup from the model
    to its OrgUnit's tree path (None for a model that is one list for everybody).
    """

    def __init__(self, model, actions: dict[str, policy.Action], path_field: str | None):
        super().__init__(model)
        self.actions = actions
        self.path_field = path_field

    def _mapped(self, actions: Iterable[str]) -> list[policy.Action]:
        return [self.actions[a] for a in actions if a in self.actions]

    # Model-level: "may the user do this anywhere at all?"

    def user_has_permission(self, user, action: str) -> bool:
        mapped = self.actions.get(action)
        return mapped is not None and policy.can(user, mapped)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(policy.can(user, mapped) for mapped in self._mapped(actions))

    def users_with_any_permission(self, actions) -> QuerySet[User]:
        return self._users(actions, instance=None)

    def _users(self, actions, *, instance) -> QuerySet[User]:
        q = Q(pk__in=[])
        for mapped in self._mapped(actions):
            q |= Q(pk__in=policy.users_with(mapped, obj=instance).values("pk"))
        return User.objects.filter(q)

    # Instance-level: "may the user do this to this row?"

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        mapped = self.actions.get(action)
        return mapped is not None and policy.can(user, mapped, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return any(policy.can(user, mapped, instance) for mapped in self._mapped(actions))

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        manager = self.model._default_manager
        mapped = self._mapped(actions)
        if not mapped:
            return manager.none()
        if self.path_field is None:
            allowed = any(policy.can(user, action) for action in mapped)
            return manager.all() if allowed else manager.none()
        # Not Q(pk__in=[]) as the start: "Q(...) | Q()" drops the empty Q(), which is the
        # superuser's "everything".
        scopes = [policy.scope_q(user, action, self.path_field) for action in mapped]
        if any(not q for q in scopes):
            return manager.all()
        return manager.filter(reduce(operator.or_, scopes))

    def users_with_any_permission_for_instance(self, actions, instance) -> QuerySet[User]:
        return self._users(actions, instance=instance)


org_unit_permission_policy = AccessPolicyPermissionPolicy(
    OrgUnit,
    actions={"view": A.ORGUNIT_VIEW, "add": A.ORGUNIT_MANAGE, "change": A.ORGUNIT_MANAGE},
    path_field="path",
)
person_permission_policy = AccessPolicyPermissionPolicy(
    Person,
    actions={
        "view": A.PERSON_VIEW,
        "add": A.PERSON_MANAGE,
        "change": A.PERSON_MANAGE,
        "export": A.PERSON_EXPORT,
        "import": A.PERSON_IMPORT,
    },
    path_field="org_unit__path",
)
job_category_permission_policy = AccessPolicyPermissionPolicy(
    JobCategory,
    actions={
        "view": A.JOBCATEGORY_VIEW,
        "add": A.JOBCATEGORY_MANAGE,
        "change": A.JOBCATEGORY_MANAGE,
    },
    path_field=None,
)
# A role assignment is granted or revoked, never edited in place.
role_assignment_permission_policy = AccessPolicyPermissionPolicy(
    RoleAssignment,
    actions={"view": A.ROLE_VIEW, "add": A.ROLE_MANAGE, "delete": A.ROLE_MANAGE},
    path_field="org_unit__path",
)

POLICIES = {
    OrgUnit: org_unit_permission_policy,
    Person: person_permission_policy,
    JobCategory: job_category_permission_policy,
    RoleAssignment: role_assignment_permission_policy,
}


def register() -> None:
    """Register the policies with Wagtail; must run before any viewset asks for a fallback."""
    from wagtail.permissions import policy_registry, register_permission_policy

    for model, permission_policy in POLICIES.items():
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, permission_policy, exact_class=True)
