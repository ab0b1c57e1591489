"""Wagtail permission policies for competences and requirements, answered by lms.people.policy.

A competence is a municipality's own or shared (its owner, see lms.people.policy): everyone with
COMPETENCE_VIEW sees the shared ones and those of their municipality; changing one is for its
owner's coordinators, a shared one for a regional Infohus or a superuser. A requirement is scoped by
the org unit it applies to: the policy is asked about that unit.
"""

from __future__ import annotations

from lms.competence.models import Competence, Requirement
from lms.people import policy
from lms.people.permissions.organisation import AccessPolicyPermissionPolicy

A = policy.Action


class ByOrgUnitPermissionPolicy(AccessPolicyPermissionPolicy):
    """Asks the access policy about the instance's org unit (the policy knows OrgUnit)."""

    def _unit(self, instance):
        return instance.org_unit

    def user_has_permission_for_instance(self, user, action, instance):
        return super().user_has_permission_for_instance(user, action, self._unit(instance))

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return super().user_has_any_permission_for_instance(user, actions, self._unit(instance))

    def users_with_any_permission_for_instance(self, actions, instance):
        return super().users_with_any_permission_for_instance(actions, self._unit(instance))


class CompetencePermissionPolicy(AccessPolicyPermissionPolicy):
    """ "view" follows competences_visible_to, "change" may_manage_competence (by owner)."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change":
            return policy.may_manage_competence(user, instance)
        if action == "view":
            return (
                self.instances_user_has_any_permission_for(user, ["view"])
                .filter(pk=instance.pk)
                .exists()
            )
        return False

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        competences = self.model._default_manager.all()
        if "view" in actions:
            return policy.competences_visible_to(user, competences)
        if "change" in actions:
            return policy.competences_managed_by(user, competences)
        return competences.none()

    def users_with_any_permission_for_instance(self, actions, instance):
        if "change" in actions and instance.owner_id is not None:
            return self._users(["change"], instance=instance.owner)
        return super().users_with_any_permission_for_instance(actions, None)


competence_permission_policy = CompetencePermissionPolicy(
    Competence,
    actions={"view": A.COMPETENCE_VIEW, "add": A.COMPETENCE_MANAGE, "change": A.COMPETENCE_MANAGE},
    path_field=None,
)
requirement_permission_policy = ByOrgUnitPermissionPolicy(
    Requirement,
    actions={
        "view": A.REQUIREMENT_VIEW,
        "add": A.REQUIREMENT_MANAGE,
        "change": A.REQUIREMENT_MANAGE,
        "delete": A.REQUIREMENT_MANAGE,
    },
    path_field="org_unit__path",
)

POLICIES = {Competence: competence_permission_policy, Requirement: requirement_permission_policy}


def register() -> None:
    from wagtail.permissions import policy_registry, register_permission_policy

    for model, permission_policy in POLICIES.items():
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, permission_policy, exact_class=True)
