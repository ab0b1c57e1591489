"""An employee opens the Action Card, follows "Kontakt Infohuset" to the concern intake, first
sends the form half filled in (a clear error), then reports the concern and gets a receipt with
the case reference. The coordinators receive it (the staff route); one of them signs in with
TOTP and reads the case, whose audit trail shows the read. axe-core finds no
WCAG 2.1 A/AA violations on the way."""

import datetime as dt
import re
import uuid

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from lms.concerns.models import Concern
from lms.people.models import OrgUnit, Role
from lms.site.services.pages import site_seed
from tests.factories import org_unit

from .conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEPS = [
    ("step", {"kind": "leader", "title": "Tal med din leder", "text": ""}),
    ("step", {"kind": "infohus", "title": "Kontakt Infohuset", "text": ""}),
    ("step", {"kind": "acute", "title": "Ved akut fare", "text": "Ring straks."}),
]
WHAT = "En elev har vist voldsforherligende videoer og taler om at straffe de vantro."


@pytest.fixture
def world(site, make_user):
    mun = org_unit(code="HJK", name="Hjørring Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    school = org_unit(code="HJK-BAG", name="Bagterpskolen", parent=mun)
    site_seed(infohus_name="Infohus Hjørring", organisation_name="Hjørring Kommune", org_unit=mun)
    coordinator = make_user("tovholder@example.dk", role=Role.COORDINATOR, unit=mun)
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    employee = make_user("laerer@example.dk", person_unit=school)
    card = services.card_create(
        slug="medarbejdere",
        audience="staff",
        org_unit=mun,
        title="Handlekort for medarbejdere",
        signs=[("sign", {"sign": "Trækker sig fra venner", "detail": ""})],
        steps=STEPS,
        review_date=timezone.localdate() + dt.timedelta(days=300),
        by=coordinator,
    )
    approver = make_user("godkender@example.dk", role=Role.COORDINATOR, unit=mun)
    services.version_approve(version=card.versions.get(), by=approver)
    return {"coordinator": coordinator, "secret": secret, "employee": employee}


def test_an_employee_reports_a_concern_from_the_action_card(page, world):
    sign_in(page, "laerer@example.dk")
    page.goto("/handlekort/medarbejdere/")
    page.get_by_role("link", name="Meld en bekymring til Infohuset").click()

    # The start page: acute numbers and the notification duty before the choice.
    expect(page.get_by_role("heading", level=1, name="Meld en bekymring")).to_be_visible()
    expect(page.get_by_role("heading", name="Er der akut fare?")).to_be_visible()
    expect(page.get_by_role("link", name="112")).to_have_attribute("href", "tel:112")
    assert_accessible(page)
    page.get_by_role("link", name="Jeg er medarbejder eller samarbejdspartner").click()

    # Signed in: name, email and workplace come from the roster.
    expect(page.get_by_label("Dit navn")).not_to_have_value("")
    expect(page.get_by_label("Din e-mailadresse")).to_have_value("laerer@example.dk")
    expect(page.get_by_text("Bagterpskolen")).to_be_visible()
    assert_accessible(page)

    # Half filled in: a clear error, nothing sent.
    page.get_by_label("Hvad har du set eller hørt?").fill(WHAT)
    page.get_by_role("button", name="Send bekymringen til Infohuset").click()
    expect(page.get_by_role("alert")).to_contain_text("Bekymringen er ikke sendt")
    expect(
        page.get_by_text("Vælg aldersgruppen for den person, du er bekymret for.")
    ).to_be_visible()
    assert not Concern.objects.exists()
    assert_accessible(page)

    page.get_by_label("Under 18 år").check()
    page.get_by_label("Ja").check()
    page.get_by_role("button", name="Send bekymringen til Infohuset").click()

    expect(
        page.get_by_role("heading", level=1, name="Infohuset har modtaget din bekymring")
    ).to_be_visible()
    concern = Concern.objects.get()
    expect(page.get_by_test_id("case-reference")).to_have_text(concern.reference)
    expect(page.get_by_text(WHAT)).to_have_count(0)
    assert_accessible(page)
    assert concern.reporter_kind == "staff" and concern.route == "coordinators"

    # The receipt and the coordinators' notice carry the reference, never the text.
    receipt = [m for m in mail.outbox if m.to == ["laerer@example.dk"]]
    notice = [m for m in mail.outbox if m.to == ["tovholder@example.dk"]]
    assert receipt and notice
    for message in receipt + notice:
        assert concern.reference in message.body and WHAT not in message.body


def test_a_coordinator_reads_the_case_with_totp_and_the_read_is_in_its_trail(
    browser, live_server, world
):
    from lms.concerns.services.intake import concern_report

    concern, _ = concern_report(
        by=world["employee"],
        infohus=OrgUnit.objects.get(code="HJK"),
        submission=uuid.uuid4(),
        reporter_kind="staff",
        age_group="adult",
        description=WHAT,
        reporter_name="Lærer Larsen",
        leader_knows=True,
    )
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(20_000)
    admin = context.new_page()
    sign_in(admin, "tovholder@example.dk", totp_secret=world["secret"])
    admin.goto("/admin/concerns/")
    admin.get_by_role("link", name=concern.reference).click()
    expect(admin.get_by_text(WHAT)).to_be_visible()
    trail = admin.get_by_role("table", name="Log over adgang og ændringer")
    expect(trail).to_contain_text("Bekymring åbnet")
    expect(trail).to_contain_text("tovholder@example.dk")
    expect(admin).to_have_url(re.compile(rf"/admin/concerns/{concern.pk}/$"))
    assert_accessible(admin)

    # The first step: the leader was informed (before the interview, as the plan requires).
    admin.get_by_role("link", name="Registrér næste trin: Leder orienteret").click()
    admin.get_by_role("button", name="Registrér trinnet").click()
    expect(admin.get_by_text("Dette felt er påkrævet.")).to_be_visible()  # refused, no change
    assert_accessible(admin)
    admin.get_by_label("Leder orienteret den").fill(timezone.localdate().isoformat())
    admin.get_by_role("button", name="Registrér trinnet").click()
    expect(admin).to_have_url(re.compile(rf"/admin/concerns/{concern.pk}/$"))
    expect(trail).to_contain_text("Trin registreret: Leder orienteret")
    assert Concern.objects.get(pk=concern.pk).status == "leader_informed"
    context.close()
