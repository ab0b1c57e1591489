"""A coordinator writes a newsletter edition in Wagtail, previews the mail, sends a test, creates
a send, starts it and watches its progress bar reach the end, then opens the web version; axe-core
finds no WCAG 2.1 A/AA violations on the sends admin's pages."""

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from lms.people.models import Role
from lms.site.models import HomePage
from lms.site.services import editors
from newsletters.models import Delivery, NewsletterIndexPage, NewsletterPage, Send
from newsletters.services import deliveries
from newsletters.services import sends as send_services
from tests.factories import PersonFactory

from .conftest import assert_accessible as assert_page_accessible
from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page) -> None:
    """axe-core once the page is still: Wagtail's messages fade in, and a colour checked half-way
    through the fade is not the colour a person reads."""
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    assert_page_accessible(page)


def click(locator) -> None:
    """Click once the element has come into view. Below the mail's frame, a click aimed while
    the page still scrolls towards the element can land in the frame instead."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_in_viewport()
    locator.click()


@pytest.fixture
def archive(site, municipality):
    home = HomePage.objects.get(pk=site.home.pk)
    HomePage.objects.filter(pk=home.pk).update(org_unit=municipality["HJK"])
    index = NewsletterIndexPage(title="Nyhedsbreve", slug="nyhedsbreve")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def test_a_coordinator_writes_previews_tests_and_sends_a_newsletter(
    page, archive, municipality, make_user, settings, monkeypatch
):
    school = municipality["HJK-BAG"]
    for n in range(5):
        PersonFactory(org_unit=school, name=f"Lærer {n}", email=f"laerer{n}@bagterp.dk")
    PersonFactory(org_unit=school, name="Uden Adresse", email="")
    coordinator = make_user(
        "tovholder@hjoerring.dk", role=Role.COORDINATOR, unit=municipality["HJK"]
    )
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    editors.editor_groups_sync()
    # The engine runs in this test, two mails a batch, while the page polls: the started send's
    # batches are not handed to (eager) Celery.
    settings.NEWSLETTER_BATCH_SIZE = 2
    monkeypatch.setattr(send_services, "_enqueue", lambda send, *, batches: None)

    sign_in(page, coordinator.email, totp_secret=secret)

    # 1. The edition, written and published in Wagtail.
    page.goto(f"/admin/pages/add/newsletters/newsletterpage/{archive.pk}/")
    page.locator("#id_title").fill("Nyt fra Infohuset")
    page.locator("#id_edition_label").fill("Forår 2027")
    page.locator("#id_teaser").fill("Et kort nyt om bekymringer.")
    page.locator("#panel-child-indhold-body-section button[title='Indsæt en blok']").first.click()
    page.get_by_role("option", name="Overskrift").click()
    page.locator("input[name='body-0-value']").fill("Sådan taler du med en kollega")
    page.get_by_role("button", name="Flere handlinger").click()
    page.get_by_role("button", name="Offentliggør").click()
    expect(page.locator(".messages")).to_contain_text("Nyt fra Infohuset")
    edition = NewsletterPage.objects.get(title="Nyt fra Infohuset")
    assert edition.live

    # 2. "Opret udsendelse" on the edition's page in the admin.
    page.goto(f"/admin/pages/{edition.pk}/edit/")
    page.get_by_role("button", name="Handlinger", exact=True).click()
    page.get_by_role("link", name="Opret udsendelse").click()
    expect(page.get_by_role("heading", level=1, name="Ny udsendelse")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Bagterpskolen").check()
    page.get_by_label("Hjørring Kommune").first.uncheck()
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.locator("#nl-audience-count")).to_contain_text("5 personer modtager mailen")
    expect(page.get_by_text("Ingen e-mailadresse: 1")).to_be_visible()
    assert_accessible(page)
    send = Send.objects.get()

    # 3. The mail as it will be sent, and a test to the coordinator.
    page.get_by_role("link", name="Se mailen, og send en test").click()
    frame = page.frame_locator("iframe.nl-mail-frame")
    expect(frame.get_by_text("Sådan taler du med en kollega")).to_be_visible()
    expect(page.locator("pre.nl-mail-text")).to_contain_text("Sådan taler du med en kollega")
    assert_accessible(page)
    expect(page.get_by_label("Send en test til")).to_have_value(coordinator.email)
    click(page.get_by_role("button", name="Send en test"))
    expect(page.locator(".messages")).to_contain_text("Der er sendt en test til")
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject == "Nyt fra Infohuset – Forår 2027"
    assert not Delivery.objects.exists()

    # 4. Schedule the send; the beat starts it when its time has come. Then watch the progress.
    click(page.get_by_role("link", name="Tilbage til udsendelsen"))
    page.get_by_role("link", name="Planlæg").click()
    at = timezone.localtime() + dt.timedelta(hours=2)
    page.get_by_label("Tidspunkt for udsendelse").fill(at.strftime("%Y-%m-%d %H:%M"))
    page.keyboard.press("Escape")  # close the date picker
    assert_accessible(page)
    click(page.get_by_role("button", name="Planlæg"))
    expect(page.locator(".messages")).to_contain_text("Udsendelsen er planlagt.")
    expect(page.locator("[data-nl-field='status_label']")).to_have_text("Planlagt")
    assert send_services.sends_start_due() == []  # not yet
    assert send_services.sends_start_due(now=timezone.now() + dt.timedelta(hours=3)) == [send.pk]
    page.reload()
    bar = page.locator("#nl-progress-bar")
    expect(bar).to_have_attribute("value", "16")  # the one without an address is skipped
    assert_accessible(page)
    mail.outbox.clear()
    deliveries.deliveries_send_batch(send_id=send.pk)
    expect(page.locator("dd[data-nl-field='sent']")).to_have_text("2")
    expect(bar).to_have_attribute("value", "50")
    while deliveries.deliveries_send_batch(send_id=send.pk).more:
        pass
    expect(page.locator("dd[data-nl-field='status_label']")).to_have_text("Sendt")
    expect(bar).to_have_attribute("value", "100")
    expect(page.locator("[data-nl-announce]")).to_contain_text("6 af 6 færdige, 5 sendt")
    expect(page.get_by_role("button", name="Sæt på pause")).to_be_hidden()
    assert sorted(m.to[0] for m in mail.outbox) == [f"laerer{n}@bagterp.dk" for n in range(5)]

    # 5. The delivery report, and the web version.
    page.get_by_role("link", name="Leveringsrapport").click()
    expect(page.get_by_role("cell", name="Uden Adresse")).to_be_visible()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="Webversion").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Nyt fra Infohuset"))
    ).to_be_visible()
