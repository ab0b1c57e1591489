"""Answers Django permission checks that Wagtail makes from the access policy."""

from lms.people import policy

# Wagtail asks for these; the policy decides them from role assignments, not from groups.
PERMISSION_ACTIONS = {
    "wagtailadmin.access_admin": policy.Action.ADMIN_ACCESS,
}


class PolicyBackend:
    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return None

    def has_perm(self, user_obj, perm, obj=None):
        action = PERMISSION_ACTIONS.get(perm)
        return action is not None and policy.can(user_obj, action)

    def has_module_perms(self, user_obj, app_label):
        return False
