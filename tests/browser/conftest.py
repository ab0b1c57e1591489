"""Playwright in Debian's Chromium against pytest-django's live server.

No browser is downloaded: the tests use /usr/bin/chromium (LMS_CHROMIUM overrides the path) and are
skipped with a reason when it is missing. `.ci/run` installs it.
"""

import base64
import hashlib
import hmac
import os
import struct
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from lms.people.models import OrgUnit, Role
from lms.site.services.pages import site_seed
from tests.factories import (
    PASSWORD,
    PersonFactory,
    RoleAssignmentFactory,
    UserFactory,
    org_unit,
    wagtail_roots_ensure,
)
from tests.site.builders import DEMO_CONTACTS

CHROMIUM = Path(os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and Django refuses ORM
    # calls from a thread with a running loop. The tests are plain sequential code, so allow it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) on the live server, Danish like our users."""
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(20_000)
    tab = context.new_page()
    # Chromium reports what the Content-Security-Policy blocked on the console: a page that
    # needs a script or style the policy refuses is broken, so the test fails.
    violations: list[str] = []
    tab.on(
        "console",
        lambda message: (
            violations.append(f"{tab.url}: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield tab
    context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def site(transactional_db):
    """The public site as `load_demo_data` seeds it: home, "Er du bekymret?", accessibility."""
    wagtail_roots_ensure()
    return site_seed(
        infohus_name="Infohus Hjørring",
        organisation_name="Hjørring Kommune",
        contacts=DEMO_CONTACTS,
    )


@pytest.fixture
def municipality(transactional_db):
    mun = org_unit(code="HJK", name="Hjørring Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    school = org_unit(code="HJK-BAG", name="Bagterpskolen", parent=mun)
    return {"HJK": mun, "HJK-BAG": school}


@pytest.fixture
def make_user(transactional_db):
    """make_user(email, role=None, unit=None, person_unit=None) -> a user with a verified email,
    optionally holding a role and linked to a roster Person."""

    def make(email: str, *, role: Role | None = None, unit=None, person_unit=None):
        user = UserFactory(email=email)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if role is not None:
            RoleAssignmentFactory(user=user, role=role, org_unit=unit)
        if person_unit is not None:
            PersonFactory(email=email, org_unit=person_unit, user=user)
        return user

    return make


def totp_now(secret: str, *, at: float | None = None, digits: int = 6, step: int = 30) -> str:
    """The code an authenticator app shows for `secret` (RFC 6238, HMAC-SHA1).

    Without `at`, a code about to expire is not handed out: it waits for the next one, so the
    code is still current when the page posts it (no flaky sign-in at a 30-second boundary)."""
    if at is None:
        left = step - time.time() % step
        if left < 5:
            time.sleep(left + 0.1)
        at = time.time()
    counter = int(at // step)
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page, WCAG 2.0 and 2.1 level A and AA rules only."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_21_AA},
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def describe(violations: list[dict]) -> str:
    """One line per violation and element, to read in a failing assertion."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {', '.join(map(str, node['target']))}: {v['help']}"
        for v in violations
        for node in v["nodes"]
    )


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}:\n{describe(violations)}"


def sign_in(page, email: str, *, totp_secret: str | None = None) -> None:
    """Sign in on the login page as a person would; staff with TOTP also type the current code."""
    from playwright.sync_api import expect

    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    if totp_secret is not None:
        expect(page.get_by_role("heading", name="Totrinsbekræftelse")).to_be_visible()
        page.get_by_label("Kode").fill(totp_now(totp_secret))
        page.get_by_role("button", name="Log ind").click()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("button", name="Log ud")).to_be_visible()
