"""TOTP for staff roles: enforced before the Wagtail admin, never for employees."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from lms.people.middleware import NEXT_SESSION_KEY
from lms.people.models import Role
from tests.factories import PASSWORD, PersonFactory, UserFactory

LOGIN = "/konto/login/"
ADMIN = "/admin/"


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _verify(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _reauthenticate(client):
    """allauth asks for the password again before TOTP can be added (MFA_REAUTHENTICATION)."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def _login(client, user):
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.fixture
def coordinator(tree, make_staff):
    return _verify(make_staff(Role.COORDINATOR, tree["HJ"], email="koordinator@example.dk"))


def test_anonymous_admin_goes_to_allauth_login(client, db):
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=/admin/"


def test_wagtail_login_page_redirects_to_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/login/?next=/admin/pages/"


def test_wagtail_password_reset_is_disabled(client, db):
    assert client.get("/admin/password_reset/").status_code == 404


def test_staff_without_totp_is_sent_to_totp_setup_and_cannot_reach_admin(client, coordinator):
    _login(client, coordinator)
    for path in (ADMIN, "/admin/pages/", "/admin/users/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    # The setup page itself is reachable (no loop) after allauth's password check.
    _reauthenticate(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "Opsæt totrinsbekræftelse" in response.content.decode()


def test_staff_reaches_admin_after_activating_totp(client, coordinator):
    _login(client, coordinator)
    client.get("/admin/pages/")
    assert client.session[NEXT_SESSION_KEY] == "/admin/pages/"
    _reauthenticate(client)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    # A wrong code activates nothing.
    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    if response.status_code == 302:  # 1 in a million: 000000 was the right code
        pytest.skip("random secret produced code 000000")
    assert not Authenticator.objects.filter(user=coordinator).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": _code(secret)})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=coordinator, type="totp").exists()
    assert Authenticator.objects.filter(user=coordinator, type="recovery_codes").exists()

    # The recovery codes page offers the way back to where the user was going.
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    assert 'href="/admin/pages/"' in response.content.decode()

    assert client.get(ADMIN).status_code == 200
    assert NEXT_SESSION_KEY not in client.session


def test_staff_with_totp_must_pass_the_totp_step_at_login(client, coordinator):
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    response = _login(client, coordinator)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.session.get("_auth_user_id") is None
    # Not signed in yet: the admin still sends to the login page.
    assert client.get(ADMIN)["Location"].startswith("/konto/login/")

    response = client.post(reverse("mfa_authenticate"), {"code": "123"})
    assert response.status_code == 200
    assert client.session.get("_auth_user_id") is None

    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(coordinator.pk)
    assert client.get(ADMIN).status_code == 200


def test_recovery_code_passes_the_totp_step(client, coordinator):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    TOTP.activate(coordinator, generate_totp_secret())
    codes = RecoveryCodes.activate(coordinator).generate_codes()
    _login(client, coordinator)
    response = client.post(reverse("mfa_authenticate"), {"code": codes[0]})
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


@pytest.mark.parametrize(
    "role",
    [Role.DEPARTMENT_CONTACT, Role.INSTITUTION_COORDINATOR, Role.STEERING_GROUP, Role.LEADER],
)
def test_every_staff_role_is_forced(client, tree, make_staff, role):
    user = _verify(make_staff(role, tree["HJ-BFU"]))
    _login(client, user)
    assert client.get(ADMIN)["Location"] == reverse("mfa_activate_totp")


def test_superuser_without_totp_is_forced(client, db):
    user = _verify(UserFactory(email="super@example.dk", is_superuser=True, is_staff=True))
    _login(client, user)
    assert client.get(ADMIN)["Location"] == reverse("mfa_activate_totp")


def test_staff_without_verified_email_is_not_looped(client, tree, make_staff):
    """allauth refuses TOTP before the email is verified; the user lands on the MFA page with
    that message instead of bouncing between the admin and the setup page."""
    user = make_staff(Role.COORDINATOR, tree["HJ"])
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    client.force_login(user)
    response = client.get(ADMIN, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "Opsæt totrinsbekræftelse" in response.content.decode()


def test_employee_is_never_forced(client, tree, verified_user):
    user = verified_user("medarbejder@example.dk")
    PersonFactory(email=user.email, org_unit=tree["HJ-SKOLE"], user=user)
    _login(client, user)
    assert client.get("/min-profil/").status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    # An employee has no admin access: sent to the front page, never to TOTP setup.
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signed_in_user_without_admin_access_is_not_looped(client, tree, verified_user):
    """Wagtail sends a signed-in user without access to its login page, which is allauth's, which
    sends a signed-in user back to ?next=/admin/. The middleware breaks that circle."""
    user = verified_user("medarbejder@example.dk")
    _login(client, user)
    response = client.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Din konto giver ikke adgang til administrationen." in shown
    assert client.get("/").status_code == 200  # the front page itself does not redirect


def test_staff_without_totp_can_use_the_site_and_sign_out(client, coordinator):
    _login(client, coordinator)
    assert client.get("/min-profil/").status_code == 200
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") is None


def test_exempt_demo_user_is_not_forced(client, coordinator, settings):
    settings.LMS_MFA_EXEMPT_EMAILS = ["KOORDINATOR@example.dk"]
    _login(client, coordinator)
    assert client.get(ADMIN).status_code == 200


def test_exemption_list_is_empty_outside_the_demo_settings():
    from lms.settings import base

    assert base.LMS_MFA_EXEMPT_EMAILS == []
    assert base.LMS_REQUIRE_STAFF_MFA is True


def _continue_links(html: str) -> list[str]:
    return re.findall(
        r'<p class="mfa-continue">\s*<a class="button" href="([^"]*)">([^<]*)</a>', html
    )


@pytest.mark.parametrize("where", ["/admin/pages/", "/moeder/"])
def test_the_mfa_pages_offer_one_way_back_to_where_the_user_was(client, coordinator, mfa, where):
    """A staff user sent to set up TOTP, from the admin or from a front-end page (booking seats for
    staff does that), gets one "continue" button on the MFA pages, back to that very page."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    _login(client, coordinator)
    session = client.session
    session[NEXT_SESSION_KEY] = where
    session.save()
    mfa(coordinator)
    RecoveryCodes.activate(coordinator)
    # allauth shows recovery codes only after the password is asked for again.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    for page in (reverse("mfa_view_recovery_codes"), reverse("mfa_index")):
        response = client.get(page)
        assert response.status_code == 200, (page, response.get("Location"))
        html = response.content.decode()
        assert _continue_links(html) == [(where, "Fortsæt, hvor du slap")], (page, html)
    # Back there, the remembered page has served its purpose.
    client.get(where)
    assert NEXT_SESSION_KEY not in client.session
    assert _continue_links(client.get(reverse("mfa_index")).content.decode()) == []


def test_one_danish_term_for_two_factor_authentication(db):
    """ "Totrinsbekræftelse" everywhere: not also allauth's "to-faktor-autentificering", and no
    "Loggede succesfuldt ind"."""
    from tests.untranslated import danish

    catalogue = danish("django")._catalog
    # What Django shows for each msgid: the first catalogue that has it (the project's first).
    shown = [catalogue[key] for key in set(catalogue.keys())]
    texts = [text for text in shown if isinstance(text, str)]
    assert [t for t in texts if re.search(r"to-?faktor|tofaktor", t, re.I)] == []
    assert [t for t in texts if "succesfuldt" in t.lower()] == []
    with translation.override("da"):
        assert gettext("Two-Factor Authentication") == "Totrinsbekræftelse"
        assert gettext("Successfully signed in as %(name)s.") == "Du er logget ind som %(name)s."
