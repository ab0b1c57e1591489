"""A citizen on a phone opens the Action Card printed as a QR code, reads the steps and the
emergency number, then the versions and an old version; axe-core finds no WCAG 2.1 A/AA
violations on the way."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from lms.people.models import OrgUnit, Role
from tests.factories import RoleAssignmentFactory, UserFactory, org_unit

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGNS = [("sign", {"sign": "Trækker sig fra venner", "detail": "Over flere måneder."})]
STEPS = [
    ("step", {"kind": "leader", "title": "Tal med din leder", "text": ""}),
    ("step", {"kind": "infohus", "title": "Kontakt Infohuset", "text": ""}),
    ("step", {"kind": "acute", "title": "Ved akut fare", "text": "Ring straks."}),
    ("step", {"kind": "hotline", "title": "Ring til hotlinen", "text": ""}),
]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="da-DK",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def card(site):
    mun = org_unit(code="HJK", name="Hjørring Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    author, approver = UserFactory(), UserFactory()
    for user in (author, approver):
        RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=mun)
    card = services.card_create(
        slug="medarbejdere",
        audience="staff",
        org_unit=mun,
        title="Handlekort for medarbejdere",
        signs=SIGNS,
        steps=STEPS,
        review_date=timezone.localdate() + dt.timedelta(days=300),
        by=author,
    )
    services.version_approve(version=card.versions.get(), by=approver)
    draft = services.version_draft_create(card=card, by=author)
    services.version_update(
        version=draft, title="Handlekort, anden udgave", change_note="Ny titel", by=author
    )
    services.version_approve(version=draft, by=approver)
    return card


def test_citizen_reads_the_card_on_a_phone(phone, card):
    page = phone
    page.goto("/handlekort/medarbejdere/")
    expect(page.get_by_role("heading", level=1, name="Handlekort, anden udgave")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Det gør du")).to_be_visible()
    steps = page.locator("ol.card-steps > li")
    expect(steps).to_have_count(4)
    expect(steps.nth(0)).to_contain_text("Tal med din leder")
    emergency = page.locator("#main").get_by_role("link", name="Ring 112")
    expect(emergency).to_be_visible()
    assert emergency.get_attribute("href") == "tel:112"
    expect(page.locator("#main").get_by_role("link", name="Ring 114")).to_be_visible()
    expect(page.locator("#main").get_by_role("link", name="41 74 90 90")).to_be_visible()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_accessible(page)

    page.get_by_role("link", name="Alle versioner af kortet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Versioner af")
    expect(page.get_by_role("cell", name="Erstattet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", level=1, name="Handlekort for medarbejdere")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Erstattet")
    assert_accessible(page)
    page.get_by_role("link", name="Se den gældende version af kortet").click()
    expect(page.get_by_role("heading", level=1, name="Handlekort, anden udgave")).to_be_visible()
