"""Each demo role signs in, lands on Min side, and (staff) opens the admin home from the header:
Danish, the Infohus's name, its own panels, and no axe-core violations on either page."""

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

from .conftest import assert_accessible, sign_in

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
    ("styregruppe@example.dk", Role.STEERING_GROUP, "HJK", "Dækning og rapporter"),
]


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
    sign_in(page, "medarbejder@example.dk")

    assert urlparse(page.url).path == "/min-side/"
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    expect(page.get_by_role("heading", name="Mine kommende møder")).to_be_visible()
    expect(page.get_by_role("heading", name="Mine kompetencer")).to_be_visible()
    expect(page.get_by_role("link", name="Sådan melder du en bekymring")).to_be_visible()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.get_by_role("link", name="Administration")).to_have_count(0)
    assert_accessible(page)


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

    sign_in(page, email, totp_secret=secret)

    assert urlparse(page.url).path == "/min-side/"
    expect(page.get_by_role("heading", level=1, name="Min side")).to_be_visible()
    expect(page.get_by_role("link", name="Gå til administrationen")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Administration"
    ).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page).to_have_title(re.compile("Infohus Hjørring"))
    expect(page.get_by_role("heading", level=1, name="Infohus Hjørring")).to_be_visible()
    expect(page.get_by_role("heading", name=panel)).to_be_visible()
    expect(page.get_by_text("localhost")).to_have_count(0)
    assert_accessible(page)
