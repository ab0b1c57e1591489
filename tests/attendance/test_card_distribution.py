"""Recording Action Cards handed out, and the "cards in circulation" report."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import services
from attendance.models import ActionCard, ActionCardVersion, Attendance, CardDistribution, Meeting
from attendance.selectors import distributions as distribution_selectors
from lms.people.models import Role
from tests.factories import org_unit


@pytest.fixture
def held_meeting(live_meeting, tree, make_employee):
    """A held meeting at the HJ school with three registrations."""

    def make(**fields):
        people = [make_employee(tree["HJ-SKOLE"]) for _ in range(3)]
        meeting = live_meeting(
            tree["HJ"], audience=[tree["HJ-SKOLE"]], registrants=people, **fields
        )
        meeting = services.meeting_mark_held(meeting=meeting, by=None)
        meeting.people = people
        return meeting

    return make


def test_suggested_quantity(held_meeting, assert_queries):
    meeting = held_meeting()
    # confirmed registrations
    assert assert_queries(1, lambda: distribution_selectors.suggested_quantity(meeting)) == 3
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.PUBLISHED)
    a, b, c = meeting.people
    services.attendance_mark_many(
        meeting=meeting,
        marks={a: Attendance.Mark.PRESENT, b: Attendance.Mark.LATE, c: Attendance.Mark.ABSENT},
        method=Attendance.Method.ROSTER,
        by=None,
    )
    assert distribution_selectors.suggested_quantity(meeting) == 2  # present + late


def test_record_for_a_meeting_once_per_version(coordinators, make_card, held_meeting, tree):
    card = make_card()
    meeting = held_meeting()
    by = coordinators["author"]
    first = services.distribution_record(
        version=card.current_version, quantity=3, meeting=meeting, by=by
    )
    # The place is the meeting's single audience unit; the date is the meeting's.
    assert first.org_unit == tree["HJ-SKOLE"]
    assert first.handed_out_on == timezone.localdate(meeting.starts_at)
    again = services.distribution_record(
        version=card.current_version, quantity=5, meeting=meeting, by=by
    )
    assert again.pk == first.pk and again.quantity == 5
    assert CardDistribution.objects.count() == 1
    actions = list(
        ModelLogEntry.objects.filter(action__startswith="lms.distribution").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["lms.distribution.record", "lms.distribution.update"]


def test_place_defaults(coordinators, make_card, make_meeting, tree):
    card = make_card()
    by = coordinators["author"]
    inst = make_meeting(tree["HJ"], institution=tree["HJ-GYM"])
    assert services.distribution_place(inst) == tree["HJ-GYM"]
    two = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"], tree["HJ-GYM"]])
    assert services.distribution_place(two) == tree["HJ"]
    row = services.distribution_record(version=card.current_version, quantity=2, meeting=two, by=by)
    assert row.org_unit == tree["HJ"]


def test_record_to_a_workplace(coordinators, make_card, tree):
    card = make_card()
    row = services.distribution_record(
        version=card.current_version,
        quantity=40,
        org_unit=tree["HJ-SKOLE"],
        note="Til personalerummet",
        by=coordinators["author"],
    )
    assert (row.quantity, row.meeting, row.handed_out_on) == (40, None, timezone.localdate())
    assert row.recorded_by == coordinators["author"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -3}, "quantity"),
        ({"handed_out_on": timezone.localdate() + dt.timedelta(days=2)}, "handed_out_on"),
        ({"org_unit": None}, "org_unit"),
    ],
)
def test_record_bad_input(coordinators, make_card, tree, change, field):
    card = make_card()
    data = {
        "version": card.current_version,
        "quantity": 10,
        "org_unit": tree["HJ-SKOLE"],
        "by": coordinators["author"],
        **change,
    }
    with pytest.raises(ValidationError) as error:
        services.distribution_record(**data)
    assert field in error.value.message_dict
    assert not CardDistribution.objects.exists()


def test_a_draft_is_never_handed_out(coordinators, make_card, tree):
    card = make_card()
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    with pytest.raises(ValidationError, match="godkend kladden først") as error:
        services.distribution_record(
            version=draft, quantity=5, org_unit=tree["HJ-SKOLE"], by=coordinators["author"]
        )
    assert "version" in error.value.message_dict
    assert not CardDistribution.objects.exists()


def test_meeting_must_be_published_or_held(coordinators, make_card, make_meeting, tree):
    card = make_card()
    draft = make_meeting(tree["HJ"], audience=[tree["HJ"]], publish=False)
    with pytest.raises(ValidationError) as error:
        services.distribution_record(
            version=card.current_version, quantity=5, meeting=draft, by=coordinators["author"]
        )
    assert "meeting" in error.value.message_dict


def test_record_access(coordinators, make_card, make_staff, tree, held_meeting):
    card = make_card()
    meeting = held_meeting()
    version = card.current_version
    outsiders = [
        coordinators["other"],
        make_staff(Role.STEERING_GROUP, tree["HJ"]),
        make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
        make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]),
    ]
    for user in outsiders:
        with pytest.raises(ValidationError):
            services.distribution_record(
                version=version, quantity=5, org_unit=tree["HJ-SKOLE"], by=user
            )
        with pytest.raises(ValidationError):
            services.distribution_record(version=version, quantity=5, meeting=meeting, by=user)
    # A coordinator of FR may not hand out HJ's card even to FR's own school.
    with pytest.raises(ValidationError) as error:
        services.distribution_record(
            version=version, quantity=5, org_unit=tree["FR-SKOLE"], by=coordinators["other"]
        )
    assert "version" in error.value.message_dict
    assert not CardDistribution.objects.exists()


def test_delete(coordinators, make_card, tree):
    card = make_card()
    row = services.distribution_record(
        version=card.current_version, quantity=4, org_unit=tree["HJ-SKOLE"], by=None
    )
    with pytest.raises(ValidationError):
        services.distribution_delete(distribution=row, by=coordinators["other"])
    services.distribution_delete(distribution=row, by=coordinators["author"])
    assert not CardDistribution.objects.exists()
    entry = ModelLogEntry.objects.get(action="lms.distribution.delete")
    assert entry.data["quantity"] == 4


def test_report_finds_places_holding_a_superseded_version(
    coordinators, make_card, new_version, tree, make_staff
):
    card = make_card()
    v1 = card.current_version
    today = timezone.localdate()
    services.distribution_record(
        version=v1, quantity=30, org_unit=tree["HJ-SKOLE"], handed_out_on=today, by=None
    )
    services.distribution_record(
        version=v1,
        quantity=10,
        org_unit=tree["HJ-BFU"],
        handed_out_on=today - dt.timedelta(days=9),
        by=None,
    )
    v2 = new_version(card)
    services.distribution_record(version=v2, quantity=12, org_unit=tree["HJ-BFU"], by=None)
    entries = distribution_selectors.distribution_by_place(user=coordinators["author"])
    assert [(e.place_name, e.holds_superseded) for e in entries] == [
        ("HJ Skole", True),  # superseded first
        ("HJ BFU", False),
    ]
    bfu = entries[1]
    assert [(v.number, v.copies, v.superseded) for v in bfu.versions] == [
        (2, 12, False),
        (1, 10, True),
    ]
    assert bfu.copies == 22
    # Scoped: FR's coordinator sees nothing; a department contact sees their administration.
    assert distribution_selectors.distribution_by_place(user=coordinators["other"]) == []
    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])
    seen = distribution_selectors.distribution_by_place(user=contact)
    assert {e.place_name for e in seen} == {"HJ Skole", "HJ BFU"}


def _spread(card, v1, v2, units, tree):
    for unit in units:
        for version in (v1, v2):
            services.distribution_record(version=version, quantity=3, org_unit=unit, by=None)


def test_report_query_count_is_constant(coordinators, make_card, new_version, tree, assert_queries):
    card = make_card()
    v1 = card.current_version
    v2 = new_version(card)
    few = [tree["HJ-SKOLE"], tree["HJ-BFU"]]
    _spread(card, v1, v2, few, tree)
    user = coordinators["author"]
    user = type(user).objects.get(pk=user.pk)
    # The warm-up loads the user's roles once.
    report = assert_queries(1, lambda: distribution_selectors.distribution_by_place(user=user))
    assert len(report) == 2
    more = [org_unit(code=f"HJ-W{i}", parent=tree["HJ-BFU"]) for i in range(18)]
    other = make_card(slug="akut", title="Akut")
    for unit in more:
        services.distribution_record(
            version=other.current_version, quantity=2, org_unit=unit, by=None
        )
    _spread(card, v1, v2, more, tree)
    report = assert_queries(1, lambda: distribution_selectors.distribution_by_place(user=user))
    assert len(report) == 38


# --- Demo ---------------------------------------------------------------------------------------


def test_demo_cards(db, make_meeting, make_employee, mailoutbox):
    from attendance.demo.cards import ACUTE_SLUG, STAFF_SLUG, cards_demo_load
    from lms.people.demo.people import DEMO_LOGINS, MUNICIPALITY
    from lms.people.models import OrgUnit, RoleAssignment
    from tests.factories import UserFactory

    municipality = org_unit(code=MUNICIPALITY, kind=OrgUnit.Kind.MUNICIPALITY)
    # A workplace the demo hands copies to (demo_cards.WORKPLACE_HANDOUTS, by code).
    school = org_unit(code="HJK-BFU-BAG", parent=municipality)
    org_unit(code="HJK-SFO", parent=municipality)
    author = UserFactory(email=DEMO_LOGINS[0].email)
    RoleAssignment.objects.create(user=author, role=Role.COORDINATOR, org_unit=municipality)
    UserFactory(email="admin@demo.infohus.dk", is_superuser=True)
    past = []
    # Two meetings before the demo's version 2 was approved, two after.
    for days_ago in (150, 100, 40, 20):
        people = [make_employee(school) for _ in range(2)]
        meeting = make_meeting(municipality, audience=[school])
        for person in people:
            services.registration_create(meeting=meeting, person=person, by=None)
        shift = meeting.starts_at - timezone.now() + dt.timedelta(days=days_ago)
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=meeting.starts_at - shift,
            ends_at=meeting.ends_at - shift,
            status=Meeting.Status.HELD,
        )
        meeting.refresh_from_db()
        past.append(meeting)
    upcoming = [make_meeting(municipality, audience=[school])]
    mailoutbox.clear()

    created = cards_demo_load(past_meetings=past, upcoming_meetings=upcoming)

    assert created > 0
    staff = ActionCard.objects.get(slug=STAFF_SLUG)
    acute = ActionCard.objects.get(slug=ACUTE_SLUG)
    assert acute.current_version.number == 1 and acute.audience == "acute"
    assert staff.current_version.number == 2
    v1 = staff.versions.get(number=1)
    assert v1.status == "approved" and v1.created_by != v1.approved_by  # four eyes
    assert "41 74 90 90" not in str(staff.current_version.steps.raw_data)  # numbers: settings
    kinds = [b.value["kind"] for b in staff.current_version.steps]
    assert kinds == ["leader", "infohus", "acute", "hotline"]
    rows = CardDistribution.objects.filter(meeting__isnull=False).order_by("meeting__starts_at")
    assert [(r.version.number, r.quantity) for r in rows] == [(1, 2), (1, 2), (2, 2), (2, 2)]
    assert CardDistribution.objects.filter(meeting=None, org_unit=school).exists()
    # The history is dated consistently: each version is written, then approved, before any
    # copy of it was handed out (issue 8: they were approved "today").
    for version in ActionCardVersion.objects.all():
        assert version.created_at < version.approved_at < timezone.now() - dt.timedelta(days=30)
        first = version.distributions.order_by("handed_out_on").first()
        if first is not None:
            assert timezone.localdate(version.approved_at) <= first.handed_out_on
    assert v1.approved_at < staff.current_version.created_at
    upcoming[0].refresh_from_db()
    assert upcoming[0].action_card_version == staff.current_version
    assert mailoutbox == []
    # A second run creates nothing.
    before = (CardDistribution.objects.count(), ActionCardVersion.objects.count())
    assert cards_demo_load(past_meetings=past, upcoming_meetings=upcoming) == 0
    assert (CardDistribution.objects.count(), ActionCardVersion.objects.count()) == before


def test_meeting_page_in_the_admin_names_the_card_version_handed_out(
    client, tree, make_meeting, make_card, coordinators, mfa
):
    card = make_card()
    meeting = make_meeting(
        tree["HJ"], audience=[tree["HJ"]], action_card_version=card.current_version
    )
    coordinator = coordinators["author"]
    mfa(coordinator)
    client.force_login(coordinator)
    html = client.get(reverse("meetings:inspect", args=[meeting.pk])).content.decode()
    assert "Handlekort, der udleveres" in html
    assert str(card.current_version) in html
