"""Mixins that every policy-guarded admin view shares."""

from django.core.exceptions import PermissionDenied

from lms.people import policy


class PolicyRequiredMixin:
    """A class-based view that the access policy guards: before the view does anything, a user
    whom `policy.can` does not grant `policy_action` (over `get_policy_object()`, when the view
    names one; anywhere, when it returns None) is refused with 403.

    Put it first among the bases. A view that loads more after the check does so in `get()` /
    `post()` or lazily, not in its own `dispatch()` (which would run before this one)."""

    policy_action: str  # a registered action: the core's policy.Action or a feature's

    def get_policy_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not policy.can(request.user, self.policy_action, self.get_policy_object()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
