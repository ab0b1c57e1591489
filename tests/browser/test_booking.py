"""An institution coordinator books seats for named colleagues in a real browser, in Danish: two
from the staff list, one new colleague, then cancels one; axe-core finds no WCAG 2.1 A/AA
violations on the pages on the way."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services
from attendance.models import Meeting, Registration
from lms.people.models import OrgUnit, Person, Role
from tests.factories import JobCategoryFactory, PersonFactory, org_unit

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

TITLE = "Dialogmøde for gymnasiets lærere"


@pytest.fixture
def gymnasium(municipality):
    return org_unit(
        code="HJK-GYM",
        name="Hjørring Gymnasium",
        kind=OrgUnit.Kind.INSTITUTION,
        parent=municipality["HJK"],
    )


@pytest.fixture
def coordinator(gymnasium, make_user):
    """The gymnasium's institution coordinator, with TOTP set up; returns (user, secret)."""
    user = make_user(
        "koordinator@gymnasium.example.dk", role=Role.INSTITUTION_COORDINATOR, unit=gymnasium
    )
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


def row_of(page, name: str):
    return page.locator("table.booking-staff tr", has=page.get_by_text(name, exact=True))


def test_institution_coordinator_books_colleagues(page, site, municipality, gymnasium, coordinator):
    user, secret = coordinator
    teachers = JobCategoryFactory(code="LAERER", name="Lærer")
    for name in ("Anna Andersen", "Bo Berg", "Carl Clausen"):
        PersonFactory(org_unit=gymnasium, name=name, job_category=teachers)
    PersonFactory(org_unit=municipality["HJK-BAG"], name="Skolelærer Søren")
    starts_at = timezone.now() + dt.timedelta(days=14)
    meeting = services.meeting_publish(
        meeting=services.meeting_create(
            kind=Meeting.Kind.DIALOGUE,
            title=TITLE,
            org_unit=municipality["HJK"],
            institution=gymnasium,
            venue="Gymnasiets festsal",
            capacity=10,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            by=None,
        ),
        by=None,
    )

    sign_in(page, user.email, totp_secret=secret)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Møder").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1, name=TITLE)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Tilmeld medarbejdere").click()
    expect(page.get_by_role("heading", level=1, name="Tilmeld medarbejdere")).to_be_visible()
    assert urlparse(page.url).path == reverse("attendance:booking", args=(meeting.pk,))
    expect(page.get_by_text("10 af 10 pladser ledige")).to_be_visible()
    expect(page.get_by_role("table")).not_to_contain_text("Skolelærer Søren")
    for name in ("Anna Andersen", "Bo Berg", "Carl Clausen"):
        expect(row_of(page, name)).to_contain_text("Ikke tilmeldt")
    assert_accessible(page)

    # Two colleagues from the list.
    staff = page.get_by_role("group", name="Vælg de kolleger, du vil tilmelde")
    staff.get_by_label("Anna Andersen").check()
    staff.get_by_label("Bo Berg").check()
    page.get_by_role("button", name="Tilmeld de valgte kolleger").click()
    expect(page.locator(".messages")).to_contain_text(
        "2 kolleger har fået plads. Hver af dem får en e-mail om det."
    )
    expect(row_of(page, "Anna Andersen")).to_contain_text("Tilmeldt")
    expect(row_of(page, "Bo Berg")).to_contain_text("Tilmeldt")
    expect(row_of(page, "Carl Clausen")).to_contain_text("Ikke tilmeldt")
    expect(page.get_by_text("8 af 10 pladser ledige")).to_be_visible()
    assert_accessible(page)

    # A new colleague: first without a name, then properly.
    new = page.get_by_role("group", name="Den nye kollega")
    new.get_by_label("E-mail").fill("dorte.dahl@gymnasium.example.dk")
    new.get_by_label("Jobkategori").select_option(label="Lærer")
    page.get_by_role("button", name="Tilføj og tilmeld").click()
    expect(page.get_by_text("Skriv kollegaens navn.")).to_be_visible()
    expect(new.get_by_label("Navn")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    new.get_by_label("Navn").fill("Dorte Dahl")
    page.get_by_role("button", name="Tilføj og tilmeld").click()
    expect(page.locator(".messages")).to_contain_text(
        "Dorte Dahl er tilføjet til dine medarbejdere og har fået plads."
    )
    expect(row_of(page, "Dorte Dahl")).to_contain_text("Tilmeldt")
    expect(page.get_by_text("7 af 10 pladser ledige")).to_be_visible()
    assert_accessible(page)

    # One cannot come after all: the booker is asked first.
    page.get_by_role("link", name="Afmeld Bo Berg").click()
    expect(page.get_by_role("heading", level=1, name="Afmeld tilmelding")).to_be_visible()
    expect(
        page.get_by_text("Er du sikker på, at du vil afmelde Bo Berg fra dette møde?")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Ja, afmeld Bo Berg").click()
    expect(page.locator(".messages")).to_contain_text("Bo Berg er afmeldt.")
    expect(row_of(page, "Bo Berg")).to_contain_text("Ikke tilmeldt")
    expect(page.get_by_text("8 af 10 pladser ledige")).to_be_visible()
    assert_accessible(page)

    dorte = Person.objects.get(email="dorte.dahl@gymnasium.example.dk")
    assert dorte.org_unit == gymnasium
    live = Registration.objects.filter(meeting=meeting, status__in=Registration.LIVE)
    assert set(live.values_list("person__name", flat=True)) == {"Anna Andersen", "Dorte Dahl"}
    assert set(live.values_list("created_by", flat=True)) == {user.pk}


def test_searching_and_choosing_a_whole_unit(page, site, municipality, gymnasium, coordinator):
    """Many colleagues: the booker narrows the list with the search, and chooses everyone in a
    unit with one button (ticked in the page by the static script, no reload)."""
    user, secret = coordinator
    teachers = JobCategoryFactory(code="LAERER", name="Lærer")
    names = [f"Lærer {n:02d}" for n in range(1, 13)]
    for n, name in enumerate(names):
        PersonFactory(
            org_unit=gymnasium, name=name, job_category=teachers, employee_number=f"G{n:03d}"
        )
    PersonFactory(org_unit=gymnasium, name="Lærer 01", job_category=teachers)  # a namesake
    starts_at = timezone.now() + dt.timedelta(days=14)
    meeting = services.meeting_publish(
        meeting=services.meeting_create(
            kind=Meeting.Kind.DIALOGUE,
            title=TITLE,
            org_unit=municipality["HJK"],
            institution=gymnasium,
            venue="Gymnasiets festsal",
            capacity=30,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(hours=2),
            by=None,
        ),
        by=None,
    )
    sign_in(page, user.email, totp_secret=secret)
    page.goto(reverse("attendance:booking", args=(meeting.pk,)))
    # The namesakes are told apart by their employee number.
    expect(page.locator("table.booking-staff caption")).to_contain_text("Hjørring Gymnasium")
    namesakes = page.locator("table.booking-staff tr", has=page.get_by_text("Lærer 01", exact=True))
    expect(namesakes).to_have_count(2)
    expect(namesakes.first).to_contain_text("G000")

    search = page.get_by_role("search", name="Søg blandt kolleger")
    search.get_by_label("Søg på navn, e-mail, medarbejdernummer, enhed eller jobkategori").fill(
        "G011"
    )
    search.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("status")).to_contain_text("1 kollega matcher “G011”.")
    expect(page.locator("table.booking-staff tbody tr")).to_have_count(1)
    assert_accessible(page)
    search.get_by_role("link", name="Vis alle").click()
    expect(page.locator("table.booking-staff tbody tr")).to_have_count(13)

    page.get_by_role("button", name="Vælg alle i Hjørring Gymnasium").click()
    boxes = page.locator('input[name="people"]')
    expect(boxes).to_have_count(13)
    for n in range(13):
        expect(boxes.nth(n)).to_be_checked()
    expect(page.get_by_role("button", name="Fravælg alle i Hjørring Gymnasium")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Tilmeld de valgte kolleger").click()
    expect(page.locator(".messages")).to_contain_text("13 kolleger har fået plads.")
    assert Registration.objects.filter(meeting=meeting, status="confirmed").count() == 13
