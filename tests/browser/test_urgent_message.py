"""A leader (with TOTP) writes an urgent message in the Wagtail admin, sees how many it reaches,
confirms, and follows its delivery to the end, in Chromium, in Danish. axe-core finds no WCAG
2.1 A/AA violations on the leader's pages."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from playwright.sync_api import expect

from lms.people.models import Role
from newsletters.models import Send
from tests.factories import PersonFactory

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_writes_and_sends_an_urgent_message(page, site, municipality, make_user):
    leader = make_user(
        "direktoer@example.dk",
        role=Role.LEADER,
        unit=municipality["HJK"],
        person_unit=municipality["HJK"],
    )
    secret = generate_totp_secret()
    TOTP.activate(leader, secret)
    for n in range(3):
        PersonFactory(org_unit=municipality["HJK-BAG"], email=f"laerer{n}@example.dk")

    sign_in(page, leader.email, totp_secret=secret)
    page.goto("/admin/")
    # "Vigtige beskeder" sits in the sidebar's "Nyhedsbreve" submenu (the leader sees only it).
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="Nyhedsbreve").click()
    sidebar.get_by_role("link", name="Vigtige beskeder").click()
    expect(page.get_by_role("heading", name="Vigtige beskeder")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Ny vigtig besked").click()

    # Nothing written: a clear error, nothing sent.
    page.get_by_role("button", name="Fortsæt").click()
    expect(page.get_by_text("Skriv, hvem der handler.")).to_be_visible()
    assert not Send.objects.exists()

    page.get_by_label("Emne").fill("Hændelse i Hjørring")
    page.get_by_label("Hvad er sket, og hvad gøres").fill("Der har været en alvorlig hændelse.")
    page.get_by_label("Hvem handler").fill("Politiet og krisestaben.")
    page.get_by_label("Sådan skal medarbejderne handle").fill("Hold børnene indenfor.")
    page.get_by_label("Hvem du kan kontakte").fill("Krisestaben: 72 33 33 33.")
    assert_accessible(page)
    page.get_by_role("button", name="Fortsæt").click()

    # The confirm page: how many it reaches (the three teachers and the leader).
    expect(page.get_by_text("Beskeden sendes nu til 4 personer.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send den vigtige besked nu").click()

    expect(page).to_have_url(re.compile(r"/admin/urgent/\d+/$"))
    progress = page.get_by_role("region", name="Fremdrift")
    expect(progress.get_by_text("Sendt", exact=True).first).to_be_visible()
    expect(progress.locator('dd[data-nl-field="sent"]')).to_have_text("4")
    expect(progress.locator('dd[data-nl-field="failed"]')).to_have_text("0")
    expect(page.get_by_text("Den vigtige besked sendes til 4 personer.")).to_be_visible()
    # Wagtail fades its message in: check the colours once it is fully shown.
    page.wait_for_timeout(1500)
    assert_accessible(page)
    assert len(mail.outbox) == 4
    assert [m.subject for m in mail.outbox] == ["Vigtig besked: Hændelse i Hjørring"] * 4


def test_the_progress_keeps_up_while_the_message_is_delivered(
    page, site, municipality, make_user, monkeypatch
):
    from newsletters.services import deliveries
    from newsletters.services import sends as send_services
    from newsletters.services.urgent import urgent_message_send

    leader = make_user("direktoer@example.dk", role=Role.LEADER, unit=municipality["HJK"])
    secret = generate_totp_secret()
    TOTP.activate(leader, secret)
    for n in range(2):
        PersonFactory(org_unit=municipality["HJK-BAG"], email=f"laerer{n}@example.dk")
    # No worker picks the batches up until the test runs one: the send stays under way.
    monkeypatch.setattr(send_services, "_enqueue", lambda send, batches: None)
    send = urgent_message_send(
        org_unit=municipality["HJK"],
        subject="Hændelse",
        situation="Noget er sket.",
        who_acts="Krisestaben.",
        staff_action="Bliv hvor du er.",
        contact="72 33 33 33.",
        by=leader,
    )
    sign_in(page, leader.email, totp_secret=secret)
    page.goto(f"/admin/urgent/{send.pk}/")
    progress = page.get_by_role("region", name="Fremdrift")
    expect(progress.locator('dd[data-nl-field="pending"]')).to_have_text("2")
    expect(progress.locator('dd[data-nl-field="sent"]')).to_have_text("0")
    expect(progress.locator('dd[data-nl-field="status_label"]')).to_have_text("Sendes")
    deliveries.deliveries_send_batch(send_id=send.pk)
    # The page asks the sends' progress endpoint itself (every few seconds), no reload, with
    # the same script as an edition's send page: the ledger's numbers, the rate, the time left.
    expect(progress.locator('dd[data-nl-field="sent"]')).to_have_text("2", timeout=15_000)
    expect(progress.locator('dd[data-nl-field="pending"]')).to_have_text("0")
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    expect(progress.locator('dd[data-nl-field="status_label"]')).to_have_text("Sendt")
    expect(progress.locator("[data-nl-announce]")).to_contain_text("Status: Sendt.")
    assert_accessible(page)
