"""An employee finds a meeting, signs up, cancels, joins the waiting list and checks in with the
QR code, in a real browser, in Danish; axe-core finds no WCAG 2.1 A/AA violations on the way."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.lib import checkin
from attendance.models import Meeting

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

TITLE = "Informationsmøde om bekymringstegn"


def meeting_make(unit, *, capacity: int = 10, starts_in=dt.timedelta(days=7)) -> Meeting:
    starts_at = timezone.now() + starts_in
    meeting = services.meeting_create(
        kind=Meeting.Kind.INFORMATION,
        title=TITLE,
        org_unit=unit,
        audience_units=[unit],
        venue="Rådhuset, mødelokale 1",
        capacity=capacity,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        by=None,
    )
    return services.meeting_publish(meeting=meeting, by=None)


def open_meeting_from_header(page) -> None:
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    expect(page.get_by_role("heading", level=1, name="Møder")).to_be_visible()


def test_employee_signs_up_for_a_meeting_and_cancels(page, site, municipality, make_user):
    school = municipality["HJK-BAG"]
    user = make_user("medarbejder@example.dk", person_unit=school)
    meeting = meeting_make(school, capacity=10)

    sign_in(page, user.email)
    open_meeting_from_header(page)
    item = page.locator("li", has=page.get_by_role("link", name=TITLE))
    expect(item).to_contain_text("10 ledige pladser")
    expect(item).to_contain_text("Rådhuset, mødelokale 1")
    assert_accessible(page)

    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert urlparse(page.url).path == reverse("attendance:meeting_detail", args=(meeting.pk,))
    expect(page.get_by_text("10 af 10 pladser ledige")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Tilmeld").click()
    expect(page.locator(".messages")).to_contain_text("Du er tilmeldt.")
    registration = page.get_by_role("region", name="Din tilmelding")
    expect(registration).to_contain_text("Du er tilmeldt.")
    expect(page.get_by_text("9 af 10 pladser ledige")).to_be_visible()
    assert_accessible(page)

    # Cancelling asks first: the confirmation page names the meeting and the person.
    page.get_by_role("link", name="Afmeld mig").click()
    expect(page.get_by_role("heading", level=1, name="Afmeld tilmelding")).to_be_visible()
    expect(page.get_by_text("Er du sikker på, at du vil afmelde dig dette møde?")).to_be_visible()
    expect(page.locator("main")).to_contain_text(TITLE)
    assert_accessible(page)
    page.get_by_role("button", name="Ja, afmeld mig").click()
    expect(page.locator(".messages")).to_contain_text("Din tilmelding er afmeldt.")
    expect(registration.get_by_role("button", name="Tilmeld")).to_be_visible()
    expect(registration).not_to_contain_text("Du er tilmeldt.")
    expect(page.get_by_text("10 af 10 pladser ledige")).to_be_visible()
    assert_accessible(page)

    open_meeting_from_header(page)
    expect(page.locator("li", has=page.get_by_role("link", name=TITLE))).not_to_contain_text(
        "Du er tilmeldt"
    )


def test_a_second_employee_goes_on_the_waiting_list_of_a_full_meeting(
    page, site, municipality, make_user
):
    school = municipality["HJK-BAG"]
    first = make_user("foerste@example.dk", person_unit=school)
    second = make_user("anden@example.dk", person_unit=school)
    meeting = meeting_make(school, capacity=1)
    services.registration_create(meeting=meeting, person=first.person, by=first)

    sign_in(page, second.email)
    open_meeting_from_header(page)
    expect(page.locator("li", has=page.get_by_role("link", name=TITLE))).to_contain_text(
        "Fuldt: nye tilmeldinger kommer på venteliste"
    )
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text("0 af 1 pladser ledige")).to_be_visible()
    registration = page.get_by_role("region", name="Din tilmelding")
    expect(registration).to_contain_text(
        "Mødet er fuldt. Tilmelder du dig, kommer du på venteliste."
    )
    assert_accessible(page)

    registration.get_by_role("button", name="Skriv mig på ventelisten").click()
    expect(page.locator(".messages")).to_contain_text(
        "Mødet er fuldt. Du er på venteliste som nr. 1."
    )
    expect(registration).to_contain_text("Du er på venteliste som nr. 1.")
    expect(registration.get_by_role("link", name="Afmeld mig")).to_be_visible()
    assert_accessible(page)

    open_meeting_from_header(page)
    expect(page.locator("li", has=page.get_by_role("link", name=TITLE))).to_contain_text(
        "Du er på venteliste"
    )


def checkin_url(meeting: Meeting, token: str) -> str:
    return reverse("attendance:check_in", kwargs={"pk": meeting.pk, "token": token})


def test_signed_in_employee_checks_in_with_the_qr_link(page, site, municipality, make_user):
    school = municipality["HJK-BAG"]
    user = make_user("medarbejder@example.dk", person_unit=school)
    # Published and signed up while in the future (both refuse the past), then moved to now.
    meeting = meeting_make(school)
    services.registration_create(meeting=meeting, person=user.person, by=user)
    starts_at = timezone.now()
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2)
    )
    meeting.refresh_from_db()

    sign_in(page, user.email)
    page.goto(checkin_url(meeting, checkin.token_make(meeting=meeting)))

    expect(page.get_by_role("heading", level=1, name=f"Tjek ind: {TITLE}")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Du er tjekket ind.")
    assert_accessible(page)
    attendance = meeting.attendances.get(person=user.person)
    assert (attendance.mark, attendance.method) == ("present", "qr")


def test_an_invalid_check_in_link_shows_an_error(page, site, municipality, make_user):
    school = municipality["HJK-BAG"]
    user = make_user("medarbejder@example.dk", person_unit=school)
    meeting = meeting_make(school)
    services.registration_create(meeting=meeting, person=user.person, by=user)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=2)
    )
    meeting.refresh_from_db()
    # A genuine token with its signature tampered with.
    forged = checkin.token_make(meeting=meeting)[:-2] + "xx"

    sign_in(page, user.email)
    response = page.goto(checkin_url(meeting, forged))

    assert response is not None and response.status == 400
    expect(page.get_by_role("heading", level=1, name="Tjek ind")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "Dette tjek-ind-link er ikke gyldigt. Scan QR-koden, der vises på mødet, igen."
    )
    expect(page.get_by_text("Du er tjekket ind.")).to_have_count(0)
    assert_accessible(page)
    assert not meeting.attendances.exists()
