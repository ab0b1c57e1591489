"""Staff roles must set up TOTP before they reach the Wagtail admin.

A signed-in user whom the access policy does not let into the admin is sent to the front page
with a message (Wagtail's own answer, its login page, is allauth's, which would send a signed-in
user straight back to the admin).

A user who holds any staff role (any role assignment, or a superuser) and has no TOTP
authenticator is sent from every admin page to allauth's TOTP activation. allauth's activation view
itself asks for reauthentication when the sign-in is not recent, and generates the recovery codes.
Signing out of the admin stays possible. The page the user wanted is remembered, and the MFA pages
offer a link back to it once TOTP is active.

A staff user who has TOTP is asked for a code by allauth at every sign-in, so a session that got
past the login reached the admin with the second factor.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms.people import policy

# Where the user wanted to go before being sent to set up TOTP.
NEXT_SESSION_KEY = "lms.mfa.next"


def staff_mfa_missing(user) -> bool:
    """True when the user holds a staff role, is not exempt and has no TOTP authenticator."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import is_mfa_enabled

    if not settings.LMS_REQUIRE_STAFF_MFA or not getattr(user, "is_authenticated", False):
        return False
    exempt = {e.lower() for e in getattr(settings, "LMS_MFA_EXEMPT_EMAILS", [])}
    if (user.email or "").lower() in exempt:
        return False
    if not policy.has_staff_role(user):
        return False
    return not is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        admin_prefix = reverse("wagtailadmin_home")
        if request.path.startswith(admin_prefix) and not self._always_allowed(request):
            if request.user.is_authenticated and not policy.can(
                request.user, policy.Action.ADMIN_ACCESS
            ):
                return self._no_admin_access(request)
            if staff_mfa_missing(request.user):
                return self._to_totp_setup(request)
            # Reached the admin: the remembered destination has served its purpose.
            request.session.pop(NEXT_SESSION_KEY, None)
        elif NEXT_SESSION_KEY in request.session and request.user.is_authenticated:
            if request.get_full_path() == request.session[NEXT_SESSION_KEY]:
                # Back on the page that sent the user to set up TOTP (a front-end page).
                request.session.pop(NEXT_SESSION_KEY)
            elif not staff_mfa_missing(request.user):
                # The MFA pages show "continue" once TOTP is active (mfa/includes/continue.html).
                request.lms_mfa_continue_url = request.session[NEXT_SESSION_KEY]
        return self.get_response(request)

    @staticmethod
    def _always_allowed(request) -> bool:
        # Signing out must work for everyone; /admin/login/ only redirects to allauth.
        return request.path in {reverse("wagtailadmin_logout"), reverse("wagtailadmin_login")}

    @staticmethod
    def _no_admin_access(request):
        # Wagtail would send a signed-in user without access to its login page, which is
        # allauth's: allauth sends a signed-in user on to `next`, the admin, and round it goes.
        messages.error(request, _("Your account does not give access to the administration."))
        return redirect("/")

    @staticmethod
    def _to_totp_setup(request):
        if request.method == "GET" and url_has_allowed_host_and_scheme(
            request.get_full_path(), allowed_hosts={request.get_host()}
        ):
            request.session[NEXT_SESSION_KEY] = request.get_full_path()
        messages.warning(
            request,
            _(
                "Your role gives access to the administration. Set up two-factor "
                "authentication before you continue."
            ),
        )
        return redirect("mfa_activate_totp")


class StaffIdleTimeoutMiddleware:
    """Staff roles are signed out after LMS_STAFF_IDLE_TIMEOUT minutes without a request.

    A staff session opens personal data of many people, so an unattended one must not stay open
    for SESSION_COOKIE_AGE (two weeks); an employee's session opens only their own, and keeps it.

    The session remembers when it was last seen and whether its user held a staff role then. Both
    are written at most once a minute, and the role is only looked up then: no query and no
    session write on most requests. A staff session's own expiry follows the timeout, so a session
    left behind also ends on the server (one that ends when the browser closes keeps doing so).
    `clock` is replaced in tests.
    """

    SESSION_KEY = "lms.activity"  # [seconds since the epoch, held a staff role]
    WRITE_EVERY_SECONDS = 60
    clock = staticmethod(time.time)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.LMS_STAFF_IDLE_TIMEOUT * 60
        user = getattr(request, "user", None)
        if timeout > 0 and getattr(user, "is_authenticated", False):
            now = self.clock()
            last, staff = self._last_seen(request.session)
            if staff and now - last > timeout:
                return self._signed_out(request)
            if now - last >= self.WRITE_EVERY_SECONDS:
                staff = policy.has_staff_role(user)
                request.session[self.SESSION_KEY] = [now, staff]
                if staff and not request.session.get_expire_at_browser_close():
                    request.session.set_expiry(timeout)
        return self.get_response(request)

    @classmethod
    def _last_seen(cls, session) -> tuple[float, bool]:
        value = session.get(cls.SESSION_KEY)
        if (
            isinstance(value, list)
            and len(value) == 2
            and isinstance(value[0], int | float)
            and isinstance(value[1], bool)
        ):
            return value[0], value[1]
        return float("-inf"), False

    @staticmethod
    def _signed_out(request):
        logout(request)
        messages.info(
            request,
            ngettext(
                "You were signed out after %(minutes)d minute without activity. Sign in again.",
                "You were signed out after %(minutes)d minutes without activity. Sign in again.",
                settings.LMS_STAFF_IDLE_TIMEOUT,
            )
            % {"minutes": settings.LMS_STAFF_IDLE_TIMEOUT},
        )
        login_url = reverse(settings.LOGIN_URL)
        if request.method == "GET":
            return redirect_to_login(request.get_full_path(), login_url)
        return redirect(login_url)
