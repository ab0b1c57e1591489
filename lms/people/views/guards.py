"""The access guard every view shares: ask the access policy before the view does anything
(PolicyRequiredMixin for class-based views; for function views @policy_required, or @guarded
when the view is about one object)."""

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


def policy_required(allowed: str | Callable[[Any], bool]) -> Callable:
    """`@policy_required(action)` on a function view: 403 unless `policy.can(user, action)`;
    `@policy_required(question)` asks `question(user)` instead (a feature's access rule). The
    function views' PolicyRequiredMixin; a view about one object takes @guarded. Put it below
    login_required and the method checks, which come first."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def policy_view(request, *args, **kwargs):
            user = request.user
            if not (allowed(user) if callable(allowed) else policy.can(user, allowed)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return policy_view

    return decorator


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
