"""The whole meeting-request flow in Chromium, in Danish: an institution coordinator asks for a
meeting on the front end, the Infohus coordinator accepts it in the Wagtail admin (with TOTP), an
employee of the institution signs up and gets the invitation with its calendar file, the
facilitator marks attendance on the admin sheet, and the employee then holds the competence on
Mine kompetencer. axe-core finds no WCAG 2.1 A/AA violations on the front-end pages on the way."""

import datetime as dt
import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.models import Meeting, MeetingRequest
from lms.people.models import OrgUnit, Role
from tests.factories import CompetenceFactory, org_unit, requirement

from .conftest import PASSWORD, assert_accessible, totp_now

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

COMPETENCE = "Kender bekymringstegn"


def new_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    context.set_default_timeout(20_000)
    return context.new_page()


def sign_in(page, email: str, *, totp_secret: str | None = None, start: str = "/") -> None:
    page.goto(start)
    if "/konto/login/" not in page.url:
        page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    if totp_secret is not None:
        expect(page.get_by_role("heading", name="Totrinsbekræftelse")).to_be_visible()
        page.get_by_label("Kode").fill(totp_now(totp_secret))
        page.get_by_role("button", name="Log ind").click()


def test_institution_requests_coordinator_accepts_employee_attends_and_earns(
    page, browser, live_server, site, municipality, make_user
):
    gymnasium = org_unit(
        code="HJK-HG",
        name="Hjørring Gymnasium",
        kind=OrgUnit.Kind.INSTITUTION,
        parent=municipality["HJK"],
    )
    institution = make_user(
        "institution@example.dk",
        role=Role.INSTITUTION_COORDINATOR,
        unit=gymnasium,
        person_unit=gymnasium,
    )
    coordinator = make_user(
        "koordinator@example.dk",
        role=Role.COORDINATOR,
        unit=municipality["HJK"],
        person_unit=municipality["HJK-BAG"],
    )
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    employee = make_user("laerer@example.dk", person_unit=gymnasium)
    competence = CompetenceFactory(code="SIGNS", name=COMPETENCE, validity_months=24)
    requirement(
        competence=competence,
        org_unit=municipality["HJK"],
        job_categories=[employee.person.job_category],
    )
    today = timezone.localdate()

    # 1. The institution coordinator asks for a meeting, from the meetings page.
    sign_in(page, institution.email)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    expect(page.get_by_role("heading", level=1, name="Møder")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Mine mødeanmodninger").click()
    expect(page.get_by_role("heading", level=1, name="Mine mødeanmodninger")).to_be_visible()
    expect(page.get_by_text("Du har ikke anmodet om nogen møder endnu.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Anmod om et møde").click()
    expect(page.get_by_role("heading", level=1, name="Anmod om et møde")).to_be_visible()
    assert_accessible(page)

    # A period that ended before it began: a clear error, nothing sent.
    page.get_by_label("Informationsmøde").check()
    page.get_by_label("Forventet antal deltagere").fill("25")
    page.get_by_label("Ønsket periode fra").fill((today + dt.timedelta(days=20)).isoformat())
    page.get_by_label("Ønsket periode til").fill((today + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="Send anmodningen").click()
    expect(page.get_by_role("alert")).to_contain_text("Anmodningen er ikke sendt")
    expect(page.get_by_text("Perioden skal slutte på eller efter sin første dag.")).to_be_visible()
    assert_accessible(page)
    assert not MeetingRequest.objects.exists()

    page.get_by_label("Ønsket periode til").fill((today + dt.timedelta(days=40)).isoformat())
    page.get_by_label("Ønskede dage og tidspunkter").fill("Tirsdag eftermiddag")
    page.get_by_label("Sted").fill("Hjørring Gymnasium, auditoriet")
    page.get_by_label("Besked til Infohuset").fill("Om bekymringstegn for lærerne.")
    # The job categories offered are those of the gymnasium's staff, with head counts.
    teachers = employee.person.job_category
    page.get_by_label(f"{teachers.name} (1)").check()
    page.get_by_role("button", name="Send anmodningen").click()
    expect(page.locator(".messages")).to_contain_text("Din anmodning er sendt.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Informationsmøde: Hjørring Gymnasium"
    )
    expect(page.get_by_text("Afventer svar")).to_be_visible()
    assert_accessible(page)
    request = MeetingRequest.objects.get()
    # The coordinator was told, with a link to the queue item.
    told = [m for m in mail.outbox if m.to == [coordinator.email]]
    assert told and f"/admin/meeting-requests/{request.pk}/" in told[0].body

    # 2. The coordinator accepts it in the Wagtail admin (signing in with TOTP).
    admin = new_page(browser, live_server)
    sign_in(admin, coordinator.email, totp_secret=secret, start="/admin/")
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.goto("/admin/meeting-requests/")
    admin.get_by_role("link", name="Hjørring Gymnasium", exact=True).click()
    expect(admin.get_by_text("Om bekymringstegn for lærerne.")).to_be_visible()
    admin.get_by_role("link", name="Imødekom anmodningen").click()
    expect(admin.get_by_label("Titel")).to_have_value("Informationsmøde: Hjørring Gymnasium")
    # Pre-filled from the request: "Tirsdag eftermiddag" in the preferred period.
    starts = admin.locator("#id_starts_at").input_value()
    day = dt.date.fromisoformat(starts[:10])
    assert starts.endswith(" 13:00") and day.weekday() == 1, starts
    assert today + dt.timedelta(days=20) <= day <= today + dt.timedelta(days=40)
    expect(
        admin.get_by_text("Målgruppen: 1 aktiv medarbejder på Hjørring Gymnasium.")
    ).to_be_visible()
    expect(admin.get_by_label(f"{teachers.name} (1)")).to_be_checked()
    expect(admin.get_by_label("Antal pladser")).to_have_value("25")
    admin.get_by_label("Kompetence, der opnås").select_option(label=COMPETENCE)
    admin.get_by_role("button", name="Imødekom anmodningen").click()
    expect(
        admin.get_by_text("Anmodningen er imødekommet, og mødet er offentliggjort.")
    ).to_be_visible()
    request.refresh_from_db()
    assert request.status == MeetingRequest.Status.ACCEPTED
    meeting = request.meeting
    assert meeting.status == Meeting.Status.PUBLISHED
    assert list(meeting.facilitators.all()) == [coordinator]
    assert list(meeting.job_categories.all()) == [teachers]

    # The coordinator publishes a draft meeting from its row in the meeting list.
    draft_start = timezone.now() + dt.timedelta(days=30)
    draft = services.meeting_create(
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmøde på Bagterpskolen",
        org_unit=municipality["HJK"],
        audience_units=[municipality["HJK-BAG"]],
        venue="Bagterpskolen, personalerummet",
        starts_at=draft_start,
        ends_at=draft_start + dt.timedelta(hours=2),
        capacity=20,
        by=coordinator,
    )
    admin.get_by_role("link", name="Møder", exact=True).first.click()
    expect(admin.get_by_role("heading", level=1, name="Møder")).to_be_visible()
    row = admin.get_by_role("row").filter(has_text="Dialogmøde på Bagterpskolen")
    row.get_by_role("link", name="Offentliggør").click()
    expect(admin.get_by_text("Offentliggør “Dialogmøde på Bagterpskolen”")).to_be_visible()
    admin.get_by_role("button", name="Offentliggør").click()
    expect(admin.get_by_text("er offentliggjort: målgruppen kan nu tilmelde sig.")).to_be_visible()
    expect(admin).to_have_url(re.compile(r"/admin/meetings/$"))
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.PUBLISHED
    expect(row.get_by_role("link", name="Offentliggør")).to_have_count(0)

    # The requester sees the answer and the meeting on their request's page.
    page.reload()
    expect(page.get_by_text("Din anmodning er imødekommet.")).to_be_visible()
    expect(page.get_by_role("link", name=f"Gå til mødet: {meeting.title}")).to_be_visible()
    assert_accessible(page)
    assert any(m.to == [institution.email] for m in mail.outbox)

    # 3. An employee of the institution signs up and gets the invitation.
    mail.outbox.clear()
    staff = new_page(browser, live_server)
    sign_in(staff, employee.email)
    staff.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    staff.get_by_role("link", name=meeting.title).click()
    expect(staff.get_by_role("heading", level=1, name=meeting.title)).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("button", name="Tilmeld").click()
    expect(staff.locator(".messages")).to_contain_text("Du er tilmeldt.")
    assert_accessible(staff)
    invitation = next(m for m in mail.outbox if m.to == [employee.email])
    calendars = [
        part.get_payload(decode=True).decode()
        for part in invitation.message().walk()
        if part.get_content_type() == "text/calendar"
    ]
    assert len(calendars) == 1 and "METHOD:REQUEST" in calendars[0]
    assert meeting.title in calendars[0]

    # Time passes: the meeting begins (moved through the service, as if the day had come).
    starts_at = timezone.now() - dt.timedelta(minutes=5)
    services.meeting_update(
        meeting=meeting, starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2), by=None
    )

    # 4. The facilitator opens the attendance sheet from the meeting's row and marks attendance.
    admin.goto("/admin/meetings/")
    row = admin.get_by_role("row").filter(has_text=meeting.title)
    row.get_by_role("link", name="Fremmødeliste").click()
    expect(admin).to_have_url(re.compile(rf"/admin/attendance/{meeting.pk}/$"))
    expect(admin.get_by_role("rowheader", name=employee.person.name)).to_be_visible()
    admin.locator(f"#mark-{employee.person.pk}-present").check()
    admin.get_by_role("button", name="Gem fremmøde").click()
    expect(admin.get_by_text("Fremmødet er gemt.")).to_be_visible()

    # 5. The employee now holds the competence.
    staff.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Mine kompetencer"
    ).click()
    required = staff.get_by_role("table", name="De kompetencer dit job kræver, og om du har dem")
    row = required.get_by_role("row").filter(
        has=staff.get_by_role("rowheader", name=COMPETENCE, exact=True)
    )
    expect(row.get_by_role("cell")).to_contain_text("Gyldig til")
    assert_accessible(staff)
