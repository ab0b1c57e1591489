"""The attendance sheet on a phone (360 × 740), where facilitators take attendance: every
person's every mark can be seen and chosen without the page scrolling sideways, and axe-core
finds no WCAG 2.1 A/AA violations."""

import datetime as dt

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.models import Attendance, Meeting
from lms.people.models import Role
from tests.factories import PersonFactory

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 360, "height": 740}
MARKS = ["Til stede", "Forsinket", "Meldt afbud", "Udeblevet"]


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="da-DK", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


def test_the_attendance_sheet_fits_a_phone(phone, site, municipality, make_user):
    school = municipality["HJK-BAG"]
    coordinator = make_user(
        "koordinator@example.dk", role=Role.COORDINATOR, unit=municipality["HJK"]
    )
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    people = [
        PersonFactory(org_unit=school, name=name)
        for name in ("Anna Andersen", "Bartholomæus Christoffersen-Vestergaard", "Cai Holm")
    ]
    starts_at = timezone.now() + dt.timedelta(days=1)
    meeting = services.meeting_publish(
        meeting=services.meeting_create(
            kind=Meeting.Kind.INFORMATION,
            title="Informationsmøde om bekymringstegn",
            org_unit=municipality["HJK"],
            audience_units=[school],
            venue="Bagterpskolen, aulaen",
            capacity=20,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            by=None,
        ),
        by=None,
    )
    for person in people:
        services.registration_create(meeting=meeting, person=person, by=None)
    started = timezone.now() - dt.timedelta(minutes=5)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=started, ends_at=started + dt.timedelta(hours=2)
    )

    sign_in(phone, coordinator.email, totp_secret=secret)
    phone.goto(f"/admin/attendance/{meeting.pk}/")
    expect(phone.get_by_role("button", name="Gem fremmøde")).to_be_visible()

    # Nothing sticks out to the side: the page does not scroll horizontally, and no mark lies
    # outside the screen (in a clipped or sideways-scrolling box) where nobody sees it.
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide"
    for person in people:
        for value in ("present", "late", "excused", "absent"):
            radio = phone.locator(f"#mark-{person.pk}-{value}")
            expect(radio).to_be_visible()
            box = radio.bounding_box()
            assert box is not None, (person.name, value)
            assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], (
                f"{person.name}: {value} at x={box['x']:.0f}"
            )
    # Each person's marks are one group named after them, each mark by its visible label.
    for person in people:
        group = phone.get_by_role("radiogroup", name=f"Fremmøde for {person.name}")
        expect(group).to_be_visible()
        for label in MARKS:
            expect(group.get_by_role("radio", name=label, exact=True)).to_be_visible()
    assert_accessible(phone)

    # Marked by touch, by label: the last column (absent) as much as the first.
    first = phone.get_by_role("radiogroup", name=f"Fremmøde for {people[0].name}")
    first.get_by_text("Til stede", exact=True).tap()
    last = phone.get_by_role("radiogroup", name=f"Fremmøde for {people[2].name}")
    last.get_by_text("Udeblevet", exact=True).tap()
    expect(last.get_by_role("radio", name="Udeblevet")).to_be_checked()
    phone.get_by_role("button", name="Gem fremmøde").click()
    expect(phone.get_by_text("Fremmødet er gemt.")).to_be_visible()
    marks = dict(Attendance.objects.filter(meeting=meeting).values_list("person__name", "mark"))
    assert marks == {people[0].name: "present", people[2].name: "absent"}
    # Wagtail fades its message in; axe reads the colours once it has settled.
    phone.wait_for_timeout(1000)
    assert_accessible(phone)
