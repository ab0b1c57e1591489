"""The access guard every view shares: ask the access policy before the view does anything
(PolicyRequiredMixin for class-based views, @guarded for function views)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

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


def guarded(
    lookup: Callable[[Any, int], Any], allowed: Callable[[Any, Any], bool] | None = None
) -> Callable:
    """`@guarded(lookup, allowed)` on `view(request, obj, ...)`: `lookup(request, pk)` returns the
    object or raises Http404; `allowed(user, obj)` (a policy question, when given) must say yes.
    Put it below login_required and the method checks, which come first."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded_view(request, pk: int, *args, **kwargs):
            obj = lookup(request, pk)
            if allowed is not None and not allowed(request.user, obj):
                raise PermissionDenied
            return view(request, obj, *args, **kwargs)

        return guarded_view

    return decorator
