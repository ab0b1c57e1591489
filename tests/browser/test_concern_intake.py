"""An employee opens the Action Card, follows "Kontakt Infohuset" to the concern intake, first
sends the form half filled in (a clear error), then reports the concern and gets a receipt with
the case reference. The coordinators receive it (the staff route); one of them signs in with
TOTP and reads the case, whose audit trail shows the read, and takes it through every step to
closed (forwarded to a service on the Infohus's list); the employee then sees on Min side that
feedback was given. axe-core finds no WCAG 2.1 A/AA violations on the way."""

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


def open_the_intake_from_the_card(page) -> None:
    """From the signed-in employee's Action Card, "Kontakt Infohuset", to the staff form."""
    page.goto("/handlekort/medarbejdere/")
    page.get_by_role("link", name="Meld en bekymring til Infohuset").click()

    # The start page: acute numbers and the notification duty before the choice.
    expect(page.get_by_role("heading", level=1, name="Meld en bekymring")).to_be_visible()
    expect(page.get_by_role("heading", name="Er der akut fare?")).to_be_visible()
    expect(page.get_by_role("link", name="112")).to_have_attribute("href", "tel:112")
    assert_accessible(page)
    page.get_by_role("link", name="Jeg er medarbejder eller samarbejdspartner").click()


def send_the_concern(page) -> Concern:
    """Fill in what is left of the staff form, send it, and read the receipt."""
    page.get_by_label("Hvad har du set eller hørt?").fill(WHAT)
    page.get_by_label("Under 18 år").check()
    page.get_by_label("Ja").check()
    page.get_by_role("button", name="Send bekymringen til Infohuset").click()
    expect(
        page.get_by_role("heading", level=1, name="Infohuset har modtaget din bekymring")
    ).to_be_visible()
    concern = Concern.objects.order_by("-pk").first()
    expect(page.get_by_test_id("case-reference")).to_have_text(concern.reference)
    expect(page.get_by_text(WHAT)).to_have_count(0)
    return concern


def test_an_employee_reports_a_concern_from_the_action_card(page, world):
    sign_in(page, "laerer@example.dk")
    open_the_intake_from_the_card(page)

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

    concern = send_the_concern(page)
    assert Concern.objects.count() == 1
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


def assert_accessible_when_still(page) -> None:
    """axe-core once Wagtail's messages have faded in (a colour checked half-way through the
    fade is not the colour a person reads), as in test_newsletter_send."""
    page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
    assert_accessible(page)


def record_step(admin, step: str, fill=None) -> None:
    """On the case page: "Registrér næste trin: <step>", fill in the step's form, record it."""
    admin.get_by_role("link", name=f"Registrér næste trin: {step}").click()
    if fill is not None:
        fill(admin)
    admin.get_by_role("button", name="Registrér trinnet").click()
    expect(admin.get_by_text(f"Registreret: {step}.")).to_be_visible()


def test_a_concern_goes_from_the_card_through_every_step_to_closed_and_back_to_min_side(
    browser, page, live_server, world
):
    from lms.concerns.services.settings import forwarding_service_create

    forwarding_service_create(
        by=world["coordinator"],
        infohus=OrgUnit.objects.get(code="HJK"),
        name="Familierådgivningen",
        handles="Negativ social kontrol",
        contact="Springvandspladsen 5, 9800 Hjørring",
    )
    sign_in(page, "laerer@example.dk")
    open_the_intake_from_the_card(page)
    concern = send_the_concern(page)

    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(20_000)
    admin = context.new_page()
    sign_in(admin, "tovholder@example.dk", totp_secret=world["secret"])
    admin.goto("/admin/concerns/")
    admin.get_by_role("link", name=concern.reference).click()
    today = timezone.localdate().isoformat()

    record_step(
        admin, "Leder orienteret", lambda p: p.get_by_label("Leder orienteret den").fill(today)
    )

    def interview(p):
        p.get_by_label("Bekymringssamtale den").fill(today)
        p.get_by_label("Hvem deltog").fill("Tovholder, lærer og skoleleder")

    record_step(admin, "Bekymringssamtale", interview)
    record_step(
        admin,
        "Analyse",
        lambda p: p.get_by_label("Myndigheder, der deltog i analysen").fill("Skole, SSP"),
    )
    record_step(
        admin,
        "Samlet vurdering og anbefaling",
        lambda p: p.get_by_label("Samlet vurdering og anbefaling").fill(
            "Ikke ekstremisme, men negativ social kontrol i familien."
        ),
    )

    # Outcome (d): forwarded, to a service on the Infohus's list; first without one (refused).
    admin.get_by_role("link", name="Registrér næste trin: Udfald").click()
    admin.get_by_label("Ikke ekstremisme: videresendt").check()
    admin.get_by_role("button", name="Registrér trinnet").click()
    expect(admin.get_by_text("Vælg fra Infohusets liste det sted")).to_be_visible()
    assert_accessible_when_still(admin)
    admin.get_by_label("Ikke ekstremisme: videresendt").check()
    admin.get_by_label("Videresendt til").select_option(
        label="Familierådgivningen (Negativ social kontrol)"
    )
    admin.get_by_role("button", name="Registrér trinnet").click()
    expect(admin.get_by_test_id("forwarding")).to_contain_text("Familierådgivningen")
    expect(admin.get_by_test_id("forwarding")).to_contain_text("tovholder@example.dk")

    record_step(
        admin,
        "Tilbagemelding givet",
        lambda p: p.get_by_label("Tilbagemelding givet til indberetteren den").fill(today),
    )
    record_step(
        admin,
        "Afsluttet",
        lambda p: p.get_by_label("Journalnummer i kommunens sagssystem").fill(
            "SBSYS 27.12.00-G01-1-26"
        ),
    )
    trail = admin.get_by_role("table", name="Log over adgang og ændringer")
    expect(trail).to_contain_text("videresendt til Familierådgivningen")
    expect(trail).to_contain_text("Trin registreret: Afsluttet")
    expect(admin.get_by_role("link", name=re.compile("Registrér næste trin"))).to_have_count(0)
    assert_accessible_when_still(admin)
    closed = Concern.objects.get(pk=concern.pk)
    assert closed.status == "closed" and closed.journal_reference == "SBSYS 27.12.00-G01-1-26"
    assert closed.route == "forwarded" and closed.forwarded_by == world["coordinator"]
    context.close()

    # The employee sees on Min side that the Infohus gave feedback, and nothing of the content.
    page.goto("/min-side/")
    section = page.get_by_role("region", name="Bekymringer, du har meldt")
    expect(section).to_contain_text(concern.reference)
    expect(section).to_contain_text("Infohuset gav tilbagemelding")
    expect(page.get_by_text(WHAT)).to_have_count(0)
    assert_accessible(page)
