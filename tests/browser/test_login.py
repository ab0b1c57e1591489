"""A coordinator and an employee sign in through allauth in a real browser."""

import re
from urllib.parse import urlparse

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from lms.people.models import Role

from .conftest import PASSWORD, totp_now

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


@pytest.fixture
def coordinator(municipality, make_user):
    """A coordinator who has set up TOTP; returns (user, secret)."""
    user = make_user(
        "koordinator@example.dk",
        role=Role.COORDINATOR,
        unit=municipality["HJK"],
        person_unit=municipality["HJK-BAG"],
    )
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def test_coordinator_signs_in_with_totp_and_reaches_the_wagtail_admin(page, site, coordinator):
    user, secret = coordinator

    page.goto("/admin/")
    # Wagtail's own login is not used: the admin sends people to allauth.
    assert urlparse(page.url).path == "/konto/login/"
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()

    sign_in(page, user.email)
    expect(page.get_by_role("heading", name="Totrinsbekræftelse")).to_be_visible()
    page.get_by_label("Kode").fill(totp_now(secret))
    page.get_by_role("button", name="Log ind").click()

    expect(page).to_have_url(re.compile(r"/admin/$"))
    # The admin names the Infohus, not Wagtail.
    expect(page).to_have_title(re.compile("Infohus Hjørring$"))
    expect(page.get_by_text(f"Du er logget ind som {user.email}")).to_be_visible()


def test_coordinator_with_a_wrong_code_stays_out_of_the_admin(page, site, coordinator):
    user, secret = coordinator
    right = totp_now(secret)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    page.goto("/admin/")
    sign_in(page, user.email)
    page.get_by_label("Kode").fill(wrong)
    page.get_by_role("button", name="Log ind").click()

    expect(page.get_by_role("heading", name="Totrinsbekræftelse")).to_be_visible()
    expect(page.get_by_text("Forkert kode.")).to_be_visible()
    # Half signed in: the admin sends them back to the code, never in.
    page.goto("/admin/")
    assert urlparse(page.url).path == "/konto/2fa/authenticate/"


def test_employee_signs_in_and_lands_on_my_page(page, site, municipality, make_user):
    user = make_user("medarbejder@example.dk", person_unit=municipality["HJK-BAG"])

    page.goto("/")
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Log ind").click()
    sign_in(page, user.email)

    expect(page).to_have_url(re.compile(r"/min-side/$"))
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("link", name="Min profil")).to_be_visible()
    expect(nav.get_by_role("button", name="Log ud")).to_be_visible()
    expect(nav.get_by_role("link", name="Log ind")).to_have_count(0)


def test_employee_is_not_let_into_the_wagtail_admin(page, site, municipality, make_user):
    user = make_user("medarbejder@example.dk", person_unit=municipality["HJK-BAG"])
    page.goto("/konto/login/")
    sign_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/min-side/$"))

    page.goto("/admin/")

    # Sent back to the front page, not into the admin and not into a redirect loop.
    assert urlparse(page.url).path == "/"
    expect(page.get_by_role("heading", level=1, name="Infohus Hjørring")).to_be_visible()


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(page, site, municipality, make_user):
    user = make_user("medarbejder@example.dk", person_unit=municipality["HJK-BAG"])

    page.goto("/konto/login/")
    sign_in(page, user.email, password="forkert-adgangskode")

    assert urlparse(page.url).path == "/konto/login/"
    expect(
        page.get_by_text("Den angivne emailadresse og/eller adgangskode er ikke korrekt.")
    ).to_be_visible()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("link", name="Log ind")).to_be_visible()
