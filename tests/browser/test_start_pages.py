"""Each demo role signs in, lands on Min side, and (staff) opens the admin home from the header:
Danish, the Infohus's name, its own panels, no untranslated English (tests/untranslated.py, the
text JavaScript renders included) and no axe-core violations on any page visited."""

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils import timezone
from playwright.sync_api import expect

from attendance import services as attendance_services
from attendance.models import Meeting
from lms.people.models import OrgUnit, Role
from tests.factories import org_unit
from tests.untranslated import untranslated_in, untranslated_in_texts

from .conftest import PASSWORD, assert_accessible, sign_in, totp_now
from .test_admin_words import LIVE_TEXTS

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

# (email, role, unit code, the heading of a panel that role's admin home must show)
STAFF = [
    ("koordinator@example.dk", Role.COORDINATOR, "HJK", "Åbne mødeanmodninger"),
    ("afdeling@example.dk", Role.DEPARTMENT_CONTACT, "HJK-BFU", "Jeres mødeanmodninger"),
    ("institution@example.dk", Role.INSTITUTION_COORDINATOR, "HJK-GYM", "Kommende møder"),
    ("styregruppe@example.dk", Role.STEERING_GROUP, "HJK", "Dækning i forhold til krav"),
    # The demo's leader, SSP consultant and police representative hold their roles over the
    # municipality (lms/people/demo/people.py), as here.
    ("leder@example.dk", Role.LEADER, "HJK", "Vigtige beskeder"),
    ("ssp@example.dk", Role.SSP_CONSULTANT, "HJK", "Bekymringer over fristen"),
    ("politi@example.dk", Role.POLICE_REPRESENTATIVE, "HJK", "Bekymringer over fristen"),
]


def assert_danish(page) -> None:
    """No untranslated English on the live page: its HTML and what JavaScript made of it."""
    page.wait_for_load_state("networkidle")
    english = untranslated_in_texts(page.evaluate(LIVE_TEXTS)) + untranslated_in(page.content())
    assert sorted(set(english)) == [], f"{page.url}: {english}"


def assert_checked(page) -> None:
    assert_danish(page)
    assert_accessible(page)


@pytest.fixture
def units(municipality):
    bfu = org_unit(
        code="HJK-BFU",
        name="Børn, Fritid og Uddannelse",
        kind=OrgUnit.Kind.ADMINISTRATION,
        parent=municipality["HJK"],
    )
    gym = org_unit(
        code="HJK-GYM",
        name="Hjørring Gymnasium",
        kind=OrgUnit.Kind.INSTITUTION,
        parent=municipality["HJK"],
    )
    units = {**municipality, "HJK-BFU": bfu, "HJK-GYM": gym}
    for unit in units.values():
        unit.refresh_from_db()
    return units


@pytest.fixture
def activity(units, make_user):
    """A published meeting for the gymnasium and an open request of the department."""
    starts_at = timezone.now() + dt.timedelta(days=10)
    meeting = attendance_services.meeting_create(
        org_unit=units["HJK"],
        audience_units=[units["HJK-GYM"], units["HJK-BFU"]],
        capacity=25,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        by=None,
        kind=Meeting.Kind.INFORMATION,
        title="Informationsmøde om bekymringstegn",
        venue="Rådhuset",
    )
    attendance_services.meeting_publish(meeting=meeting, by=None)
    return meeting


def test_an_employee_lands_on_my_page_without_an_admin_link(page, site, units, make_user):
    make_user("medarbejder@example.dk", person_unit=units["HJK-BAG"])
    page.goto("/konto/login/")
    assert_checked(page)
    sign_in(page, "medarbejder@example.dk")

    expect(page).to_have_url(re.compile(r"/min-side/$"))
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    expect(page.get_by_role("heading", name="Mine kommende møder")).to_be_visible()
    expect(page.get_by_role("heading", name="Mine kompetencer")).to_be_visible()
    expect(page.get_by_role("link", name="Sådan melder du en bekymring")).to_be_visible()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("link", name="Administration")).to_have_count(0)
    assert_checked(page)

    # Every page the main menu leads to, and the account pages: Danish and accessible too.
    paths = [
        urlparse(href).path for href in nav.locator("a").evaluate_all("as => as.map(a => a.href)")
    ]
    for path in [*dict.fromkeys(paths), "/konto/email/", "/konto/password/change/"]:
        page.goto(path)
        assert_checked(page)


@pytest.mark.parametrize(
    "email,role,unit,panel",
    [*STAFF, ("admin@example.dk", None, None, "Åbne mødeanmodninger")],
    ids=[*(s[1].value for s in STAFF), "superuser"],
)
def test_staff_land_on_my_page_and_open_their_admin_home(
    page, site, units, make_user, activity, email, role, unit, panel
):
    if role is None:
        user = make_user(email)
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    else:
        user = make_user(email, role=role, unit=units[unit])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    if role == Role.DEPARTMENT_CONTACT:
        attendance_services.request_create(
            by=user,
            org_unit=units["HJK-BFU"],
            kind=Meeting.Kind.INFORMATION,
            expected_participants=20,
            preferred_from=timezone.localdate() + dt.timedelta(days=14),
            preferred_until=timezone.localdate() + dt.timedelta(days=40),
            preferred_times="Formiddag",
            place="Rådhuset",
            message="",
        )

    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    # The second step of the sign-in is a page of its own: Danish too.
    expect(page.get_by_role("heading", name="Totrinsbekræftelse")).to_be_visible()
    assert_checked(page)
    page.get_by_label("Kode").fill(totp_now(secret))
    page.get_by_role("button", name="Log ind").click()

    expect(page).to_have_url(re.compile(r"/min-side/$"))
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    expect(page.get_by_role("link", name="Gå til administrationen")).to_be_visible()
    reads_cases = role in (Role.SSP_CONSULTANT, Role.POLICE_REPRESENTATIVE, Role.COORDINATOR)
    # The Infohus members who read cases see how many are open, one click from them.
    expect(page.get_by_role("link", name="Åbn bekymringerne")).to_have_count(int(reads_cases))
    assert_checked(page)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Administration"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page).to_have_title(re.compile("Infohus Hjørring"))
    expect(page.get_by_role("heading", level=1, name="Infohus Hjørring")).to_be_visible()
    expect(page.get_by_role("heading", name=panel)).to_be_visible()
    expect(page.get_by_text("localhost")).to_have_count(0)
    assert_checked(page)

    # The everyday action is one click from the admin home.
    if role == Role.LEADER:
        page.get_by_role("link", name="Send en vigtig besked").click()
        expect(page.get_by_role("heading", level=1, name="Ny vigtig besked")).to_be_visible()
        assert_checked(page)
    elif role in (Role.SSP_CONSULTANT, Role.POLICE_REPRESENTATIVE):
        page.get_by_role("link", name="Åbne sager", exact=True).click()
        expect(page).to_have_url(re.compile(r"/admin/concerns/"))
        assert_checked(page)
