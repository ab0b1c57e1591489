"""`manage.py load_demo_data`: the demo municipality, its roster, one login per role, the site."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from wagtail.models import Page, Site

from lms.people import policy
from lms.people.demo.people import DEMO_LOGINS, DEMO_PASSWORD, roster_frame
from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User
from lms.site.models import HomePage, InfohusSettings
from tests.factories import wagtail_roots_ensure

pytestmark = pytest.mark.django_db

ADMINISTRATIONS = {
    "Børn, Fritid og Uddannelse",
    "Social, Ældre og Handicap",
    "Arbejdsmarked og Uddannelse",
}
INSTITUTIONS = {
    "Hjørring Gymnasium",
    "EUC Nord",
    "FGU Vendsyssel",
    "Hjørring Ny 10.",
    "UCN Hjørring",
}


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        yield load()
        transaction.set_rollback(True)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (OrgUnit, JobCategory, Person, User, RoleAssignment, EmailAddress, Page)
    } | {"contacts": InfohusSettings.objects.get().contacts.count()}


def test_the_command_reports_what_it_loaded_and_the_logins(demo_output):
    assert "Demo data loaded." in demo_output
    assert "Roster: 1" in demo_output
    for login in DEMO_LOGINS:
        assert login.email in demo_output
    assert DEMO_PASSWORD in demo_output


def test_the_organisation(demo_output, db):
    municipality = OrgUnit.objects.get(name="Hjørring Kommune")
    assert municipality.kind == OrgUnit.Kind.MUNICIPALITY
    children = {u.name: u.kind for u in municipality.get_children()}
    for name in ADMINISTRATIONS:
        assert children[name] == OrgUnit.Kind.ADMINISTRATION
    assert children["Lokalpoliti Hjørring"] == OrgUnit.Kind.POLICE
    for name in INSTITUTIONS:
        assert children[name] == OrgUnit.Kind.INSTITUTION

    workplaces = OrgUnit.objects.filter(kind=OrgUnit.Kind.WORKPLACE)
    assert workplaces.count() >= 25
    names = set(workplaces.values_list("name", flat=True))
    for expected in ("Jobcenter Hjørring", "Socialpsykiatrien Hjørring", "SSP Hjørring"):
        assert expected in names
    # Schools with their sites (afdelinger) below them.
    school = OrgUnit.objects.get(name="Hirtshals Skole")
    assert [c.name for c in school.get_children()] == ["Hirtshals Skole, afdeling Horne"]


def test_the_roster(demo_output, db):
    people = Person.objects.all()
    assert people.count() >= 1500
    emails = list(people.values_list("email", flat=True))
    assert len({e.lower() for e in emails}) == len(emails)
    numbers = list(people.values_list("employee_number", flat=True))
    assert all(numbers) and len(set(numbers)) == len(numbers)
    assert not people.filter(job_category__isnull=True).exists()
    assert JobCategory.objects.get(code="TEACHER").is_frontline
    assert JobCategory.objects.get(code="SSP").is_frontline
    assert not JobCategory.objects.get(code="ADMIN").is_frontline
    assert not JobCategory.objects.get(code="LEADER").is_frontline
    # Plausible Danish names: first and last name, no placeholders.
    assert people.filter(name__endswith="sen").count() > 500
    assert not people.filter(name__startswith="Person").exists()

    # Every workplace has one leader, who manages everyone else there.
    for unit in OrgUnit.objects.exclude(kind=OrgUnit.Kind.MUNICIPALITY):
        leaders = people.filter(org_unit=unit, job_category__code="LEADER")
        assert leaders.count() == 1, unit.name
        leader = leaders.get()
        staff = people.filter(org_unit=unit).exclude(pk=leader.pk)
        assert not staff.exclude(manager=leader).exists(), unit.name
    # Managers are never missing below the top of each employer.
    without_manager = people.filter(manager__isnull=True).values_list("org_unit__kind", flat=True)
    assert set(without_manager) <= {
        OrgUnit.Kind.MUNICIPALITY,
        OrgUnit.Kind.POLICE,
        OrgUnit.Kind.INSTITUTION,
    }


def test_the_roster_is_generated_the_same_every_time():
    assert roster_frame().equals(roster_frame())


def test_one_login_per_role(demo_output, db, client):
    expected = {
        "koordinator@demo.infohus.dk": (Role.COORDINATOR, "Hjørring Kommune"),
        "afdeling@demo.infohus.dk": (Role.DEPARTMENT_CONTACT, "Børn, Fritid og Uddannelse"),
        "institution@demo.infohus.dk": (Role.INSTITUTION_COORDINATOR, "Hjørring Gymnasium"),
        "styregruppe@demo.infohus.dk": (Role.STEERING_GROUP, "Hjørring Kommune"),
        "leder@demo.infohus.dk": (Role.LEADER, "Hjørring Kommune"),
        "ssp@demo.infohus.dk": (Role.SSP_CONSULTANT, "Hjørring Kommune"),
        "politi@demo.infohus.dk": (Role.POLICE_REPRESENTATIVE, "Hjørring Kommune"),
    }
    for email, (role, unit_name) in expected.items():
        user = User.objects.get(email=email)
        assert list(user.role_assignments.values_list("role", "org_unit__name")) == [
            (role, unit_name)
        ]
    employee = User.objects.get(email="medarbejder@demo.infohus.dk")
    assert not employee.role_assignments.exists()
    assert not policy.has_staff_role(employee)
    admin = User.objects.get(email="admin@demo.infohus.dk")
    assert admin.is_superuser and admin.is_staff
    assert (
        not User.objects.exclude(email="admin@demo.infohus.dk").filter(is_superuser=True).exists()
    )

    for login in DEMO_LOGINS:
        user = User.objects.get(email=login.email)
        assert user.person.employee_number == login.employee_number
        assert EmailAddress.objects.filter(
            user=user, email=login.email, verified=True, primary=True
        ).exists()
        assert client.login(email=login.email, password=DEMO_PASSWORD), login.email
        client.logout()
    assert not client.login(email="medarbejder@demo.infohus.dk", password="forkert-kodeord")


def test_the_leader_sends_urgent_messages_and_the_infohus_members_handle_concerns(demo_output, db):
    from lms.concerns import access as concern_access
    from newsletters import access as newsletter_access

    municipality = OrgUnit.objects.get(code="HJK")
    leader = User.objects.get(email="leder@demo.infohus.dk")
    ssp = User.objects.get(email="ssp@demo.infohus.dk")
    police = User.objects.get(email="politi@demo.infohus.dk")
    coordinator = User.objects.get(email="koordinator@demo.infohus.dk")
    assert policy.can(leader, newsletter_access.URGENT_SEND, municipality)
    # The coordinators do not send urgent messages; the leader neither writes newsletters nor
    # handles concerns.
    assert not policy.can(coordinator, newsletter_access.URGENT_SEND, municipality)
    assert not policy.can(leader, newsletter_access.WRITE, municipality)
    assert not policy.can(leader, concern_access.Action.CONCERN_HANDLE, municipality)
    for member in (ssp, police):
        assert policy.has_staff_role(member)
        assert policy.can(member, concern_access.Action.CONCERN_HANDLE, municipality)
        assert not policy.can(member, newsletter_access.URGENT_SEND, municipality)
    assert leader.person.org_unit == municipality
    assert ssp.person.org_unit.code == "HJK-BFU-SSP"
    assert police.person.org_unit.code == "HJK-POL-FOR"


def test_the_new_staff_logins_skip_totp_only_in_the_local_demo():
    """Like the other staff logins, they reach the admin at once in `make run` (dev settings)."""
    import importlib

    dev = importlib.import_module("lms.settings.dev")
    staff = {login.email for login in DEMO_LOGINS if login.role is not None or login.superuser}
    assert {"leder@demo.infohus.dk", "ssp@demo.infohus.dk", "politi@demo.infohus.dk"} <= staff
    assert staff <= set(dev.LMS_MFA_EXEMPT_EMAILS)


def test_a_demo_user_signs_in_through_allauth(demo_output, db, client):
    response = client.post(
        "/konto/login/", {"login": "medarbejder@demo.infohus.dk", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    html = client.get("/min-profil/").content.decode()
    assert "Mikkel Dahl Jensen" in html
    assert "Bagterpskolen" in html


def test_coordinator_scope_covers_the_municipality_and_the_institution_coordinator_only_hers(
    demo_output, db
):
    coordinator = User.objects.get(email="koordinator@demo.infohus.dk")
    institution = User.objects.get(email="institution@demo.infohus.dk")
    assert policy.people(coordinator, policy.Action.PERSON_VIEW).count() == Person.objects.count()
    visible = policy.people(institution, policy.Action.PERSON_VIEW)
    assert set(visible.values_list("org_unit__name", flat=True)) == {"Hjørring Gymnasium"}


def test_the_site_is_seeded(demo_output, db, client):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    settings = InfohusSettings.for_site(site)
    assert settings.infohus_name == "Infohus Hjørring"
    assert [c.title.split(",")[0] for c in settings.contacts.all()] == [
        "SSP-konsulent",
        "Forebyggelsesmedarbejder",
    ]
    html = client.get("/er-du-bekymret/").content.decode()
    assert "41 74 90 90" in html and "Line Kjær Sørensen" in html


def test_a_second_run_adds_nothing(demo_output, db):
    before = counts()
    people_before = dict(Person.objects.values_list("employee_number", "updated_at"))

    output = load()

    assert "Nothing to add: the demo data is already loaded." in output
    assert "koordinator@demo.infohus.dk" in output
    assert counts() == before
    assert dict(Person.objects.values_list("employee_number", "updated_at")) == people_before


def test_a_run_completes_what_is_missing(demo_output, db):
    """A demo login deleted by someone is recreated; nothing else changes."""
    User.objects.filter(email="medarbejder@demo.infohus.dk").delete()
    before = counts()

    output = load()

    assert "Demo users: 1 created" in output
    after = counts()
    assert after["User"] == before["User"] + 1
    assert after["Person"] == before["Person"]
    assert User.objects.get(email="medarbejder@demo.infohus.dk").person.name == "Mikkel Dahl Jensen"


def test_people_per_unit_kind(demo_output, db):
    per_kind = dict(Person.objects.values_list("org_unit__kind").annotate(n=Count("pk")).order_by())
    assert per_kind[OrgUnit.Kind.WORKPLACE] > 1000
    assert per_kind[OrgUnit.Kind.INSTITUTION] > 300


def test_the_steering_group_meets_soon_and_its_half_year_report_is_ready(demo_output, db):
    """Overblik and the steering group's home panel have a report to open: the demo's meeting is
    ten days ahead, and the daily task has built and offered its report."""
    from django.utils import timezone

    from reports.models import HalfYearReport, SteeringMeeting

    meeting = SteeringMeeting.objects.get(org_unit__code="HJK")
    assert (meeting.meets_on - timezone.localdate()).days == 10
    assert meeting.notified_at is not None
    report = HalfYearReport.objects.get(meeting=meeting)
    assert report.file.read(4) == b"%PDF"
    assert "1 half-year report" in demo_output
