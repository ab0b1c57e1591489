"""OpenID Connect single sign-on (Microsoft Entra ID style) through allauth's real views, with the
IdP's HTTP endpoints answered by a stand-in, and the user linked to the roster."""

import json
from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from lms.people.models import Person
from tests.factories import PASSWORD, PersonFactory, UserFactory

ISSUER = "https://login.microsoftonline.test/tenant-id/v2.0"
AUTHORIZE = "https://login.microsoftonline.test/tenant-id/oauth2/v2.0/authorize"
TOKEN = "https://login.microsoftonline.test/tenant-id/oauth2/v2.0/token"
USERINFO = "https://graph.microsoft.test/oidc/userinfo"


def oidc_providers(verified_email=True):
    return {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "entra",
                    "name": "Microsoft Entra ID",
                    "client_id": "client-123",
                    "secret": "hemmelig",
                    "settings": {
                        "server_url": ISSUER,
                        "verified_email": verified_email,
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }


class FakeResponse:
    def __init__(self, data, status=200):
        self.status_code = status
        self.headers = {"content-type": "application/json"}
        self.text = json.dumps(data)
        self.content = self.text.encode()
        self._data = data

    def json(self):
        return self._data

    def raise_for_status(self):
        if self.status_code >= 400:
            raise RuntimeError(self.status_code)


class FakeIdP:
    """Answers the discovery document, the token endpoint and the userinfo endpoint."""

    def __init__(self, userinfo):
        self.userinfo = userinfo
        self.token_requests = []

    def session(self, *args, **kwargs):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def get(self, url, **kwargs):
        if url == ISSUER + "/.well-known/openid-configuration":
            return FakeResponse(
                {
                    "issuer": ISSUER,
                    "authorization_endpoint": AUTHORIZE,
                    "token_endpoint": TOKEN,
                    "userinfo_endpoint": USERINFO,
                    "jwks_uri": ISSUER + "/keys",
                    "token_endpoint_auth_methods_supported": [
                        "client_secret_post",
                        "client_secret_basic",
                    ],
                }
            )
        if url == USERINFO:
            return FakeResponse(self.userinfo)
        raise AssertionError(f"unexpected GET {url}")

    def request(self, method, url, **kwargs):
        assert url == TOKEN, url
        self.token_requests.append(kwargs)
        return FakeResponse({"access_token": "adgang", "token_type": "Bearer"})


def sso_login(client, userinfo, *, next_url="/min-profil/"):
    """Run allauth's OIDC login: our login view, the IdP redirect, the callback."""
    idp = FakeIdP(userinfo)
    with mock.patch("lms.people.adapters.SocialAccountAdapter.get_requests_session", idp.session):
        response = client.post(reverse("openid_connect_login", args=["entra"]), {"next": next_url})
        assert response.status_code == 302
        authorize = urlparse(response["Location"])
        assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == AUTHORIZE
        query = parse_qs(authorize.query)
        assert query["client_id"] == ["client-123"]
        assert "code_challenge" in query  # PKCE
        assert query["redirect_uri"] == ["http://testserver/konto/oidc/entra/login/callback/"]
        response = client.get(
            reverse("openid_connect_callback", args=["entra"]),
            {"code": "kode", "state": query["state"][0]},
        )
    return response, idp


def userinfo(email, *, sub="sub-1", verified=None):
    data = {"sub": sub, "email": email, "name": "Jens Jensen"}
    if verified is not None:
        data["email_verified"] = verified
    return data


@pytest.fixture
def unit(tree):
    return tree["HJ-SKOLE"]


def test_callback_path_is_the_documented_redirect_uri():
    assert reverse("openid_connect_callback", args=["entra"]) == "/konto/oidc/entra/login/callback/"


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers())
def test_login_page_shows_the_sso_button_when_configured(client, db):
    html = client.get("/konto/login/").content.decode()
    assert "Log ind med Microsoft Entra ID" in html
    assert reverse("openid_connect_login", args=["entra"]) in html


@override_settings(SOCIALACCOUNT_PROVIDERS={})
def test_login_page_has_no_sso_button_without_configuration(client, db):
    html = client.get("/konto/login/").content.decode()
    assert "Log ind med" not in html


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers())
def test_sso_creates_the_user_and_links_the_person(client, unit):
    person = PersonFactory(email="jens.jensen@hjoerring.dk", org_unit=unit)
    response, idp = sso_login(client, userinfo("Jens.Jensen@hjoerring.dk"))
    assert response.status_code == 302
    assert response["Location"] == "/min-profil/"
    user = get_user_model().objects.get(email__iexact="jens.jensen@hjoerring.dk")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).uid == "sub-1"
    assert EmailAddress.objects.get(user=user).verified
    person.refresh_from_db()
    assert person.user == user
    # PKCE: the code verifier went to the token endpoint.
    assert "code_verifier" in idp.token_requests[0]["data"]


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers())
def test_sso_signs_in_to_an_existing_local_account_and_links_it(client, unit):
    """The employee made a password account earlier but never confirmed it; the IdP's verified
    email signs them in to that account (allauth's email authentication) and links the Person."""
    person = PersonFactory(email="karen@hjoerring.dk", org_unit=unit)
    user = UserFactory(email="karen@hjoerring.dk")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response, _idp = sso_login(client, userinfo("karen@hjoerring.dk", sub="sub-karen"))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert get_user_model().objects.count() == 1
    assert SocialAccount.objects.get(uid="sub-karen").user == user
    assert EmailAddress.objects.get(user=user).verified
    person.refresh_from_db()
    assert person.user == user
    # allauth wipes the password of an unverified account taken over by email authentication.
    user.refresh_from_db()
    assert not user.check_password(PASSWORD)


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers(verified_email=False))
def test_sso_with_an_unverified_email_does_not_link(client, unit):
    person = PersonFactory(email="lars@hjoerring.dk", org_unit=unit)
    response, _idp = sso_login(client, userinfo("lars@hjoerring.dk", verified=False))
    # Mandatory verification: the address must be confirmed by mail first.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    person.refresh_from_db()
    assert person.user is None


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers(verified_email=False))
def test_sso_honours_the_idps_email_verified_claim(client, unit):
    person = PersonFactory(email="mette@hjoerring.dk", org_unit=unit)
    sso_login(client, userinfo("mette@hjoerring.dk", verified=True))
    person.refresh_from_db()
    assert person.user is not None


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers(verified_email=["hjoerring.dk"]))
def test_sso_trusts_only_the_listed_mail_domains(client, unit):
    inside = PersonFactory(email="niels@hjoerring.dk", org_unit=unit)
    outside = PersonFactory(email="niels@gmail.test", org_unit=unit)
    sso_login(client, userinfo("niels@gmail.test", sub="a"))
    outside.refresh_from_db()
    assert outside.user is None
    client.logout()
    sso_login(client, userinfo("niels@hjoerring.dk", sub="b"))
    inside.refresh_from_db()
    assert inside.user is not None


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers())
def test_sso_never_steals_a_person_linked_to_another_user(client, unit):
    owner = UserFactory(email="ejer@hjoerring.dk")
    person = PersonFactory(email="olga@hjoerring.dk", org_unit=unit, user=owner)
    sso_login(client, userinfo("olga@hjoerring.dk"))
    person.refresh_from_db()
    assert person.user == owner
    assert Person.objects.filter(user__email="olga@hjoerring.dk").count() == 0


@override_settings(SOCIALACCOUNT_PROVIDERS=oidc_providers())
def test_sso_staff_user_is_still_forced_to_set_up_totp(client, tree):
    from lms.people.models import Role
    from tests.factories import RoleAssignmentFactory

    sso_login(client, userinfo("koordinator@hjoerring.dk"))
    user = get_user_model().objects.get(email="koordinator@hjoerring.dk")
    RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=tree["HJ"])
    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")
