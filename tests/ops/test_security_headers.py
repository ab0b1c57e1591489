"""Content-Security-Policy and Permissions-Policy on every response: front end, admin, errors.

The production settings are checked in a subprocess (test_settings.py's way); the policy's
contents, the admin's exception and the nonce in the test process."""

import re

import pytest
from django.urls import reverse

from lms.people.models import Role
from lms.site.services.pages import ContactData, site_seed
from tests.attendance.builders import card_make

from .helpers import manage
from .test_settings import production_env

pytestmark = pytest.mark.django_db

# Every source the policy may name: our origin, inline data images, the request's nonce.
ALLOWED_SOURCES = re.compile(
    r"^('self'|'none'|data:|blob:|'unsafe-inline'|'nonce-[A-Za-z0-9+/=]+')$"
)


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def assert_front_end_policy(response) -> None:
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    # The one third party: a lesson's video player, framed only after the learner asks for it.
    from django.conf import settings

    assert policy["frame-src"] == ["'self'", *settings.LMS_VIDEO_FRAME_SOURCES]
    assert all(
        ALLOWED_SOURCES.match(source)
        for name, values in policy.items()
        if name != "frame-src"
        for source in values
    )
    permissions = response.headers["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions


@pytest.fixture
def site():
    return site_seed(infohus_name="Infohus Hjørring", contacts=[ContactData(name="Mette")])


def test_a_public_page_has_the_policy(client, site):
    assert_front_end_policy(client.get(reverse("account_login")))
    assert_front_end_policy(client.get("/"))


def test_an_error_page_has_the_policy(client, site):
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    assert_front_end_policy(response)


def test_the_admin_has_the_policy_with_wagtails_exceptions(client, tree, make_staff, mfa):
    client.force_login(mfa(make_staff(Role.COORDINATOR, tree["HJ"])))
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    # Wagtail's widgets write inline scripts; its preview frames our own pages.
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert all(
        ALLOWED_SOURCES.match(source)
        for name, values in policy.items()
        if name != "frame-src"
        for source in values
    )
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_inline_style_carries_the_nonce_of_the_policy(client, site, tree, make_staff):
    card = card_make(
        org_unit=tree["HJ"],
        author=make_staff(Role.COORDINATOR, tree["HJ"]),
        approver=make_staff(Role.COORDINATOR, tree["HJ"]),
    )
    response = client.get(reverse("cards:detail", args=(card.slug,)))
    nonce = re.search(r"<style nonce=\"([^\"]+)\"", response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["style-src"]
    # A new one each time.
    again = client.get(reverse("cards:detail", args=(card.slug,)))
    assert f"'nonce-{nonce}'" not in directives(again)["style-src"]


# Production's static storage needs collectstatic's manifest; the headers do not depend on it.
PROBE = """
from django.conf import settings
from django.test import Client, override_settings
storages = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=storages):
    c = Client()
    for path in ("/konto/login/", "/admin/", "/findes-ikke/"):
        r = c.get(path, secure=True, HTTP_HOST="lms.example.dk")
        print(path, r.status_code)
        print(r.headers.get("Content-Security-Policy"))
        print(r.headers.get("Permissions-Policy"))
"""


def test_production_sends_the_headers_on_pages_admin_and_errors(tmp_path):
    env = production_env(tmp_path)
    migrated = manage("migrate", "--noinput", env=env, timeout=600)
    assert migrated.returncode == 0, migrated.stderr
    result = manage("shell", "-c", PROBE, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().split("\n")[-9:]
    seen = {lines[i].split()[0]: (lines[i + 1], lines[i + 2]) for i in range(0, 9, 3)}
    assert [line.split()[1] for line in lines[::3]] == ["200", "302", "404"]
    for path, (csp, permissions) in seen.items():
        assert "default-src 'self'" in csp, path
        assert "camera=()" in permissions, path
    assert "frame-ancestors 'none'" in seen["/konto/login/"][0]
    assert "frame-ancestors 'self'" in seen["/admin/"][0]
