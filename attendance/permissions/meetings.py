"""The Wagtail permission policy for meetings, answering from lms.people.policy.

A meeting is scoped by its organising unit (meeting.org_unit); the base adapter in
lms.people.permissions asks the policy about an instance's own unit, which a meeting does not
have, so the instance-level answers here go through the meeting's organising unit.
"""

from __future__ import annotations

from django.db.models import QuerySet

from attendance.models import Meeting
from lms.people import policy
from lms.people.models import User
from lms.people.permissions.organisation import AccessPolicyPermissionPolicy

A = policy.Action


class MeetingPermissionPolicy(AccessPolicyPermissionPolicy):
    def user_has_permission_for_instance(self, user, action: str, instance) -> bool:
        return super().user_has_permission_for_instance(user, action, instance.org_unit)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return super().user_has_any_permission_for_instance(user, actions, instance.org_unit)

    def users_with_any_permission_for_instance(self, actions, instance) -> QuerySet[User]:
        return super().users_with_any_permission_for_instance(actions, instance.org_unit)

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        mapped = self._mapped(actions)
        meetings = Meeting.objects.all()
        if A.MEETING_MANAGE in mapped and A.MEETING_VIEW not in mapped:
            return policy.meetings_managed_by(user, meetings)
        if A.MEETING_VIEW in mapped:
            return policy.meetings_in_staff_view(user, meetings)
        return meetings.none()


meeting_permission_policy = MeetingPermissionPolicy(
    Meeting,
    actions={
        "view": A.MEETING_VIEW,
        "add": A.MEETING_MANAGE,
        "change": A.MEETING_MANAGE,
        # The list as a spreadsheet: the meetings one manages (no personal data in it).
        "export": A.MEETING_MANAGE,
    },
    path_field="org_unit__path",
)


def register() -> None:
    from wagtail.permissions import policy_registry, register_permission_policy

    if policy_registry.get_by_type(Meeting, fallback=False) is None:
        register_permission_policy(Meeting, meeting_permission_policy, exact_class=True)
