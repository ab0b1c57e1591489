"""Staff roles must set up TOTP before they reach the Wagtail admin."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from . import policy

ADMIN_PREFIX = "/admin/"


def staff_mfa_missing(user) -> bool:
    """True when the user holds a staff role, is not exempt and has no TOTP authenticator."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    if not settings.LMS_REQUIRE_STAFF_MFA or not user.is_authenticated:
        return False
    if user.email.lower() in {e.lower() for e in settings.LMS_MFA_EXEMPT_EMAILS}:
        return False
    if not policy.has_staff_role(user):
        return False
    return not is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX) and staff_mfa_missing(request.user):
            messages.warning(
                request,
                _(
                    "Your role gives access to the administration. Set up two-factor "
                    "authentication before you continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
