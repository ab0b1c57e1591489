"""Email + password through allauth: verification, password reset, logout, rate limits."""

import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

LOGIN = "/konto/login/"


def _link_in(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def _session_user_id(client):
    return client.session.get("_auth_user_id")


def test_login_url_is_allauths():
    assert reverse("account_login") == LOGIN


def test_login_page_has_labelled_fields(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>" in html and "Log ind" in html
    # Every input of the form has a label pointing at it.
    for field_id in ("id_login", "id_password"):
        assert f'id="{field_id}"' in html
        assert f'for="{field_id}"' in html
    # Rendered inside the site's own layout (skip link and main landmark from base.html).
    assert 'id="main"' in html


def test_verified_user_logs_in(client, verified_user):
    user = verified_user("anna@example.dk")
    response = client.post(LOGIN, {"login": "anna@example.dk", "password": PASSWORD})
    assert response.status_code == 302
    # Everyone lands on Min side (no `next` given).
    assert response["Location"] == "/min-side/"
    assert _session_user_id(client) == str(user.pk)


def test_login_is_case_insensitive_on_email(client, verified_user):
    user = verified_user("anna@example.dk")
    client.post(LOGIN, {"login": "Anna@Example.DK", "password": PASSWORD})
    assert _session_user_id(client) == str(user.pk)


def test_wrong_password_is_refused_with_a_clear_error(client, verified_user):
    verified_user("anna@example.dk")
    response = client.post(LOGIN, {"login": "anna@example.dk", "password": "forkert"})
    assert response.status_code == 200
    assert "Den angivne emailadresse og/eller adgangskode er ikke korrekt." in (
        response.content.decode()
    )
    assert _session_user_id(client) is None


def test_unverified_user_is_refused_and_sent_to_verification(client, verified_user):
    verified_user("bo@example.dk", verified=False)
    response = client.post(LOGIN, {"login": "bo@example.dk", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert _session_user_id(client) is None
    # A fresh verification mail went out.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["bo@example.dk"]


def test_signup_sends_verification_and_the_link_confirms_it(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "ny@example.dk", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email="ny@example.dk")
    assert not EmailAddress.objects.get(user=user).verified
    assert _session_user_id(client) is None  # cannot use the account before confirming

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Infohus] ")
    link = _link_in(mail.outbox[0])
    # The link shows a confirmation page; the POST confirms (no state change on GET).
    assert client.get(link).status_code == 200
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    # ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION: confirming signs the new user in.
    assert _session_user_id(client) == str(user.pk)


def test_signup_with_bad_input_creates_nothing(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "ikke-en-email", "password1": "kort", "password2": "anden"},
    )
    assert response.status_code == 200
    assert not get_user_model().objects.exists()
    assert mail.outbox == []


def test_signup_with_a_taken_email_creates_no_second_account(client, verified_user):
    verified_user("anna@example.dk")
    client.post(
        reverse("account_signup"),
        {"email": "ANNA@example.dk", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert get_user_model().objects.filter(email__iexact="anna@example.dk").count() == 1


def test_signup_can_be_closed(client, db, settings):
    settings.ACCOUNT_SIGNUP_ENABLED = False
    client.post(
        reverse("account_signup"),
        {"email": "ny@example.dk", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert not get_user_model().objects.exists()


def test_password_reset_by_mail(client, verified_user):
    user = verified_user("anna@example.dk")
    response = client.post(reverse("account_reset_password"), {"email": "anna@example.dk"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = _link_in(mail.outbox[0])

    # allauth moves the key into the session and redirects to the "set password" form.
    response = client.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    new_password = "ny-sikker-adgangskode-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)

    client.logout()
    client.post(LOGIN, {"login": "anna@example.dk", "password": PASSWORD})
    assert _session_user_id(client) is None
    client.post(LOGIN, {"login": "anna@example.dk", "password": new_password})
    assert _session_user_id(client) == str(user.pk)


def test_password_reset_link_cannot_be_reused(client, verified_user):
    user = verified_user("anna@example.dk")
    client.post(reverse("account_reset_password"), {"email": "anna@example.dk"})
    link = _link_in(mail.outbox[0])
    form_url = client.get(link)["Location"]
    first, second = "ny-sikker-adgangskode-42", "ny-sikker-adgangskode-43"
    client.post(form_url, {"password1": first, "password2": first})
    client.logout()
    client.get(link)
    response = client.post(form_url, {"password1": second, "password2": second})
    assert response.status_code == 200  # the "bad token" page, not a redirect to "done"
    user.refresh_from_db()
    assert user.check_password(first)


def test_password_reset_for_unknown_email_sends_no_reset_link(client, db):
    client.post(reverse("account_reset_password"), {"email": "ukendt@example.dk"})
    # allauth may tell the address that it has no account, but there is no reset key.
    assert all("/password/reset/key/" not in m.body for m in mail.outbox)


def test_logout(client, verified_user):
    verified_user("anna@example.dk")
    client.post(LOGIN, {"login": "anna@example.dk", "password": PASSWORD})
    assert _session_user_id(client) is not None
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert _session_user_id(client) is None


def test_too_many_failed_logins_are_blocked(client, verified_user):
    """ACCOUNT_RATE_LIMITS["login_failed"]: 5 failures per 5 minutes per account."""
    verified_user("anna@example.dk")
    for _ in range(5):
        response = client.post(LOGIN, {"login": "anna@example.dk", "password": "forkert"})
        assert response.status_code == 200
    # Now even the right password is refused, with a clear message.
    response = client.post(LOGIN, {"login": "anna@example.dk", "password": PASSWORD})
    assert response.status_code == 200
    assert _session_user_id(client) is None
    assert "Der er for mange mislykkede logonforsøg. Prøv igen senere." in (
        response.content.decode()
    )


def test_rate_limit_is_per_account(client, verified_user):
    verified_user("anna@example.dk")
    other = verified_user("bo@example.dk")
    for _ in range(5):
        client.post(LOGIN, {"login": "anna@example.dk", "password": "forkert"})
    client.post(LOGIN, {"login": "bo@example.dk", "password": PASSWORD})
    assert _session_user_id(client) == str(other.pk)


def test_rate_limits_are_configured(settings):
    from allauth.account import app_settings

    assert app_settings.RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"
    assert app_settings.RATE_LIMITS["login"]
    assert app_settings.RATE_LIMITS["reset_password"]


def test_too_many_logins_from_one_address_get_429(client, verified_user):
    """ACCOUNT_RATE_LIMITS["login"]: 30 login attempts a minute per IP, then 429."""
    verified_user("anna@example.dk")
    for n in range(30):
        response = client.post(LOGIN, {"login": f"x{n}@example.dk", "password": "forkert"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"login": "anna@example.dk", "password": PASSWORD})
    assert response.status_code == 429
    assert _session_user_id(client) is None
