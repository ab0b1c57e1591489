"""The one Wagtail permission policy of the platform, answering from the access policy
(lms.people.policy).

Wagtail's admin views, menus and listings ask a permission policy about actions such as "add",
"change", "delete", "view" and (ours) "export". OrgUnitPermissionPolicy translates each into a
policy.Action for its model and lets lms.people.policy decide, per instance and as scoped
querysets. As Wagtail's own policies are told the field to follow
(`OwnershipPermissionPolicy(model, owner_field_name=...)`), this one is told the path from an
instance to the OrgUnit it is scoped by, so one class serves every scoped model:

    OrgUnitPermissionPolicy(Requirement, actions={...}, org_unit_path="org_unit")

An action without a mapping is refused for everyone, superusers included: people are never
deleted (they are marked left and later anonymised), and org units and job categories are
protected by the roster that points at them.

Each app builds its policies and registers them (permission_policies_register) in its
AppConfig.ready(), before any viewset asks Wagtail for a model's policy (which would create a
fallback); wagtail_hooks.py only registers hooks.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from functools import reduce

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy

from lms.people import policy
from lms.people.models import OrgUnit, User

# The rows of a queryset that a user may act on, for a policy action whose scope is wider than
# the row's own unit (a meeting is also seen where it is aimed): (user, queryset) -> queryset.
Listing = Callable[[User, QuerySet], QuerySet]


class OrgUnitPermissionPolicy(BasePermissionPolicy):
    """Maps Wagtail actions onto policy actions for one model, scoped by an org unit.

    `actions` maps a Wagtail action to a policy action. `org_unit_path` is the lookup from an
    instance to the OrgUnit it is scoped by, in Django's `__` notation ("org_unit"; "" for an
    OrgUnit itself; None for a model that is one list for everybody). `listings` replaces the
    org-unit scope of the listed rows for the policy actions it names.
    """

    def __init__(
        self,
        model,
        *,
        actions: Mapping[str, policy.Action],
        org_unit_path: str | None,
        listings: Mapping[policy.Action, Listing] | None = None,
    ):
        super().__init__(model)
        self.actions = dict(actions)
        self.org_unit_path = org_unit_path
        self.listings = dict(listings or {})

    @property
    def path_field(self) -> str | None:
        """The lookup from the model to its unit's tree path, for filtering querysets."""
        if self.org_unit_path is None:
            return None
        return f"{self.org_unit_path}__path" if self.org_unit_path else "path"

    def _mapped(self, actions: Iterable[str]) -> list[policy.Action]:
        return [self.actions[a] for a in actions if a in self.actions]

    def org_unit_of(self, instance) -> OrgUnit | None:
        """The unit `instance` is scoped by; None when it has none (yet) or is not scoped."""
        if self.org_unit_path is None:
            return None
        unit = instance
        for name in filter(None, self.org_unit_path.split("__")):
            try:
                unit = getattr(unit, name)
            except ObjectDoesNotExist:
                return None
            if unit is None:
                return None
        return unit

    def _asked_about(self, instance) -> OrgUnit | None:
        """What the access policy is asked about for `instance`: nothing for a model that is one
        list for everybody (a model-wide answer); for a row not (yet) placed in the tree, a unit
        without a path, which is in nobody's scope (a superuser's answer only)."""
        if self.org_unit_path is None:
            return None
        return self.org_unit_of(instance) or OrgUnit(path=None)

    def _can(self, user, action: policy.Action, instance) -> bool:
        return policy.can(user, action, self._asked_about(instance))

    # Model-level: "may the user do this anywhere at all?"

    def user_has_permission(self, user, action: str) -> bool:
        mapped = self.actions.get(action)
        return mapped is not None and policy.can(user, mapped)

    def user_has_any_permission(self, user, actions) -> bool:
        return any(policy.can(user, mapped) for mapped in self._mapped(actions))

    def users_with_any_permission(self, actions) -> QuerySet[User]:
        return self._users(actions, unit=None)

    def _users(self, actions, *, unit) -> QuerySet[User]:
        q = Q(pk__in=[])
        for mapped in self._mapped(actions):
            q |= Q(pk__in=policy.users_with(mapped, obj=unit).values("pk"))
        return User.objects.filter(q)

    # Instance-level: "may the user do this to this row?"

    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        mapped = self.actions.get(action)
        return mapped is not None and self._can(user, mapped, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return any(self._can(user, mapped, instance) for mapped in self._mapped(actions))

    def users_with_any_permission_for_instance(self, actions, instance) -> QuerySet[User]:
        return self._users(actions, unit=self._asked_about(instance))

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        manager = self.model._default_manager
        mapped = list(dict.fromkeys(self._mapped(actions)))
        if not mapped:
            return manager.none()
        listed = [self.listings[a](user, manager.all()) for a in mapped if a in self.listings]
        scoped = [a for a in mapped if a not in self.listings]
        if self.path_field is None:
            if any(policy.can(user, action) for action in scoped):
                return manager.all()
        else:
            # Not Q(pk__in=[]) as the start: "Q(...) | Q()" drops the empty Q(), which is the
            # superuser's "everything".
            scopes = [policy.scope_q(user, action, self.path_field) for action in scoped]
            if any(not q for q in scopes):
                return manager.all()
            if scopes:
                listed.append(manager.filter(reduce(operator.or_, scopes)))
        if not listed:
            return manager.none()
        if len(listed) == 1:
            return listed[0]
        return manager.filter(reduce(operator.or_, (Q(pk__in=qs.values("pk")) for qs in listed)))


def permission_policies_register(*policies: BasePermissionPolicy) -> None:
    """Register each policy for exactly its model; call from AppConfig.ready()."""
    from wagtail.permissions import register_permission_policy

    for permission_policy in policies:
        register_permission_policy(permission_policy.model, permission_policy, exact_class=True)
