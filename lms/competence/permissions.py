"""The Wagtail permission policy for competences, answered by lms.people.policy.

A competence is a municipality's own or shared (its owner, see lms.people.policy): everyone with
COMPETENCE_VIEW sees the shared ones and those of their municipality; changing one is for its
owner's coordinators, a shared one for a regional Infohus or a superuser. That is a rule about the
owner, not a scope by org unit, so it is the one model whose policy is more than the core's
OrgUnitPermissionPolicy told a path. Requirements are scoped by their org unit and use that class
as it is (lms.competence.apps).
"""

from __future__ import annotations

from lms.competence import access
from lms.people import policy
from lms.people.permissions import OrgUnitPermissionPolicy

A = policy.Action


class CompetencePermissionPolicy(OrgUnitPermissionPolicy):
    """ "view" follows competences_visible_to, "change" may_manage_competence (by owner)."""

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "change":
            return access.may_manage_competence(user, instance)
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
            return access.competences_visible_to(user, competences)
        if "change" in actions:
            return access.competences_managed_by(user, competences)
        return competences.none()

    def users_with_any_permission_for_instance(self, actions, instance):
        if "change" in actions and instance.owner_id is not None:
            return self._users(["change"], unit=instance.owner)
        return self._users(actions, unit=None)
