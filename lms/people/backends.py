"""The sign-in backend, and the answers to Django permission checks that Wagtail makes from the
access policy."""

from allauth.account.auth_backends import AuthenticationBackend
from django.core.exceptions import PermissionDenied

from lms.people import policy

ALLAUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


class AccountBackend(AuthenticationBackend):
    """allauth's backend, whose user load also says whether the user holds any role
    (policy.users_for_request): a signed-in employee's page then needs no query of role
    assignments (the header's "Administration" link, Min side, the staff middlewares).

    allauth's own backend stays listed after this one only so that sessions signed in before
    this one existed (their session names allauth's backend) stay signed in. A failed password
    check here stops the round (PermissionDenied) instead of letting allauth's backend hash the
    same password again: no other backend could sign in anyone."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is None and credentials.get("password"):
            raise PermissionDenied
        return user

    def get_user(self, user_id):
        try:
            user = policy.users_for_request().get(pk=user_id)
        except policy.User.DoesNotExist:
            return None
        return policy.user_loaded(user) if self.user_can_authenticate(user) else None


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
