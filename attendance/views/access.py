"""The access guard that the function views share (the class-based ones use
lms.people.views.PolicyRequiredMixin): look the object up from the URL's `pk`, which is a 404 when
the user may not see it, ask the access policy whether the user may act on it, which is a 403 when
not, and call the view with the object instead of the pk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied


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
