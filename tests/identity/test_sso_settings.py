"""Single sign-on configured from environment variables (lms/settings/base.py).

Settings are read once per process, so each case imports them in a fresh interpreter."""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

DUMP = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"providers": settings.SOCIALACCOUNT_PROVIDERS,
                  "saml_app": "allauth.socialaccount.providers.saml" in settings.INSTALLED_APPS}))
"""


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OIDC_", "SAML_")) and k != "DJANGO_SETTINGS_MODULE"
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="lms.settings.test")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def settings_with(**env: str) -> dict:
    result = run(DUMP, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate and key, as an IdP or our SP would have."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.example.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("saml")
    cert_path = folder / "cert.pem"
    key_path = folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_no_sso_without_configuration():
    assert settings_with() == {"providers": {}, "saml_app": False}


def test_oidc_from_environment():
    config = settings_with(
        OIDC_CLIENT_ID="client-123",
        OIDC_CLIENT_SECRET="hemmelig",
        OIDC_SERVER_URL="https://login.microsoftonline.com/tenant-id/v2.0",
    )
    app = config["providers"]["openid_connect"]["APPS"][0]
    assert app["provider_id"] == "entra"
    assert app["name"] == "Microsoft Entra ID"
    assert app["client_id"] == "client-123"
    assert app["secret"] == "hemmelig"
    # Not trusted unless the installation says so (OIDC_VERIFIED_EMAIL).
    assert app["settings"] == {
        "server_url": "https://login.microsoftonline.com/tenant-id/v2.0",
        "verified_email": False,
        "oauth_pkce_enabled": True,
    }


def test_oidc_trusted_domains_and_token_method():
    config = settings_with(
        OIDC_CLIENT_ID="c",
        OIDC_SERVER_URL="https://adfs.example.test/adfs",
        OIDC_PROVIDER_ID="adfs",
        OIDC_VERIFIED_EMAIL="Hjoerring.dk, hjoerring.dk.test",
        OIDC_TOKEN_AUTH_METHOD="client_secret_basic",
    )
    app = config["providers"]["openid_connect"]["APPS"][0]
    assert app["provider_id"] == "adfs"
    assert app["settings"]["verified_email"] == ["hjoerring.dk", "hjoerring.dk.test"]
    assert app["settings"]["token_auth_method"] == "client_secret_basic"


@pytest.mark.parametrize(
    "value,expected", [("", False), ("false", False), ("no", False), ("true", True), ("1", True)]
)
def test_oidc_email_trust_is_off_unless_switched_on(value, expected):
    env = {"OIDC_CLIENT_ID": "c", "OIDC_SERVER_URL": "https://x.test"}
    if value:
        env["OIDC_VERIFIED_EMAIL"] = value
    config = settings_with(**env)
    assert (
        config["providers"]["openid_connect"]["APPS"][0]["settings"]["verified_email"] is expected
    )


def test_saml_from_metadata_url():
    config = settings_with(
        SAML_IDP_ENTITY_ID="http://adfs.hjoerring.test/adfs/services/trust",
        SAML_IDP_METADATA_URL="https://adfs.hjoerring.test/FederationMetadata/2007-06/FederationMetadata.xml",
        SAML_NAME="AD FS",
        SAML_ORGANIZATION="hjoerring",
    )
    assert config["saml_app"] is True
    app = config["providers"]["saml"]["APPS"][0]
    assert app["client_id"] == "hjoerring"
    assert app["settings"]["idp"] == {
        "entity_id": "http://adfs.hjoerring.test/adfs/services/trust",
        "metadata_url": "https://adfs.hjoerring.test/FederationMetadata/2007-06/FederationMetadata.xml",
    }
    assert app["settings"]["verified_email"] is False  # not trusted unless SAML_VERIFIED_EMAIL
    assert app["settings"]["advanced"]["want_assertion_signed"] is True
    mapping = app["settings"]["attribute_mapping"]
    assert "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress" in mapping["email"]


def test_saml_trusted_domains():
    config = settings_with(
        SAML_IDP_ENTITY_ID="http://adfs.hjoerring.test/adfs/services/trust",
        SAML_IDP_METADATA_URL="https://adfs.hjoerring.test/FederationMetadata.xml",
        SAML_VERIFIED_EMAIL="hjoerring.dk",
    )
    assert config["providers"]["saml"]["APPS"][0]["settings"]["verified_email"] == ["hjoerring.dk"]


def test_saml_without_idp_endpoint_refuses_to_start():
    result = run(DUMP, SAML_IDP_ENTITY_ID="https://idp.test")
    assert result.returncode != 0
    assert "SAML_IDP_METADATA_URL" in result.stderr


def test_saml_login_redirects_to_the_idp_with_a_signed_request(certificate):
    """KOMBIT-style: IdP from SSO URL + certificate, our own certificate and key, signed
    requests. allauth's SAML provider builds the request from these settings."""
    cert_path, key_path = certificate
    code = """
import django
from urllib.parse import urlparse, parse_qs
django.setup()
from django.conf import settings
from django.test import RequestFactory
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.saml.utils import build_auth
conf = settings.SOCIALACCOUNT_PROVIDERS["saml"]["APPS"][0]
app = SocialApp(provider="saml", provider_id=conf["provider_id"], name=conf["name"],
                client_id=conf["client_id"], settings=conf["settings"])
request = RequestFactory().get("/konto/saml/infohus/login/", HTTP_HOST="lms.hjoerring.test")
provider = app.get_provider(request)
auth = build_auth(request, provider)
url = urlparse(auth.login(return_to=""))
query = parse_qs(url.query)
print(url.netloc + url.path, "SAMLRequest" in query, "Signature" in query)
print(auth.get_settings().get_sp_data()["assertionConsumerService"]["url"])
"""
    result = run(
        code,
        SAML_IDP_ENTITY_ID="https://saml.adgangsstyring.test",
        SAML_IDP_SSO_URL="https://n2adgangsstyring.test/runtime/saml2/issue.idp",
        SAML_IDP_X509CERT_FILE=str(cert_path),
        SAML_SP_X509CERT_FILE=str(cert_path),
        SAML_SP_PRIVATE_KEY_FILE=str(key_path),
        SAML_AUTHN_REQUEST_SIGNED="true",
        DJANGO_ALLOWED_HOSTS="lms.hjoerring.test",
    )
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().splitlines()[-2:]
    assert first == "n2adgangsstyring.test/runtime/saml2/issue.idp True True"
    assert second == "http://lms.hjoerring.test/konto/saml/infohus/acs/"


def test_oidc_for_adfs_reads_the_id_token():
    config = settings_with(
        OIDC_CLIENT_ID="c",
        OIDC_SERVER_URL="https://adfs.hjoerring.test/adfs",
        OIDC_FETCH_USERINFO="false",
        OIDC_SCOPE="openid profile email allatclaims",
    )
    app_settings = config["providers"]["openid_connect"]["APPS"][0]["settings"]
    assert app_settings["fetch_userinfo"] is False
    assert app_settings["scope"] == ["openid", "profile", "email", "allatclaims"]
