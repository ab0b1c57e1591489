"""The services' injectable clock (`now=`): acting as of an earlier moment, as the demo loader
does to build a past season. The moment replaces the current time in the service's own time
rules (publishing, signing up, taking attendance, marking held) and is what gets recorded
(created_at, marked_at); it is never later than the current time, and the access policy and the
locks are the same as without it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from attendance import services
from attendance.models import Attendance, Meeting, Registration
from lms.competence.models import Evidence
from lms.people.models import Role
from tests.factories import CompetenceFactory

M = Attendance.Mark
ROSTER = Attendance.Method.ROSTER
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture
def past(tree, make_staff, make_employee):
    """A meeting that started an hour ago (a draft: it was never published), its coordinator
    and two employees in its audience."""
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    now = timezone.now()
    meeting = services.meeting_create(
        kind=Meeting.Kind.INFORMATION,
        title="Informationsmøde om bekymringstegn",
        org_unit=tree["HJ"],
        audience_units=[tree["HJ-BFU"]],
        venue="Rådhuset, mødesal 2",
        starts_at=now - HOUR,
        ends_at=now + HOUR,
        capacity=1,
        competence=CompetenceFactory(code="BEK", name="Kender bekymringstegn"),
        facilitators=[coordinator],
        by=coordinator,
    )
    return {
        "meeting": meeting,
        "coordinator": coordinator,
        "people": [make_employee(tree["HJ-SKOLE"]) for _ in range(2)],
        "now": now,
    }


def publish_days_ago(past, days=3):
    return services.meeting_publish(
        meeting=past["meeting"], by=past["coordinator"], now=past["now"] - days * DAY
    )


def test_publish_as_of_before_the_start(past):
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_publish(meeting=past["meeting"], by=past["coordinator"])
    assert "starts_at" in excinfo.value.message_dict

    meeting = publish_days_ago(past)

    assert meeting.status == Meeting.Status.PUBLISHED


def test_publish_as_of_after_the_start_is_refused(past):
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_publish(
            meeting=past["meeting"], by=past["coordinator"], now=past["now"] - HOUR / 2
        )
    assert "starts_at" in excinfo.value.message_dict
    assert Meeting.objects.get(pk=past["meeting"].pk).status == Meeting.Status.DRAFT


def test_registration_as_of_yesterday_for_a_meeting_that_started_an_hour_ago(past):
    meeting = publish_days_ago(past)
    first, second = past["people"]
    yesterday, earlier = past["now"] - DAY, past["now"] - DAY + HOUR

    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(meeting=meeting, person=first, by=past["coordinator"])
    assert excinfo.value.code == "started"

    confirmed = services.registration_create(
        meeting=meeting, person=first, by=past["coordinator"], now=yesterday
    )
    waiting = services.registration_create(
        meeting=meeting, person=second, by=past["coordinator"], now=earlier
    )

    assert (confirmed.status, confirmed.created_at) == (Registration.Status.CONFIRMED, yesterday)
    # Capacity 1: the database's seat count and the waiting list work as ever.
    assert waiting.status == Registration.Status.WAITING
    assert Meeting.objects.get(pk=meeting.pk).confirmed_count == 1


def test_registration_as_of_after_the_start_is_refused(past):
    meeting = publish_days_ago(past)
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(
            meeting=meeting,
            person=past["people"][0],
            by=past["coordinator"],
            now=meeting.starts_at + dt.timedelta(minutes=1),
        )
    assert excinfo.value.code == "started"
    assert not Registration.objects.exists()


def test_the_policy_still_decides_who_may_sign_up(past, tree, make_staff):
    """The clock moves the meeting's own time rules, not the access policy."""
    meeting = publish_days_ago(past)
    person = past["people"][0]
    other_coordinator = make_staff(Role.COORDINATOR, tree["FR"])
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(
            meeting=meeting, person=person, by=other_coordinator, now=past["now"] - DAY
        )
    assert excinfo.value.code == "permission_denied"

    # A person signing themselves up is asked by the policy at the current time: the meeting
    # has started, so the self-service sign-up stays closed.
    with pytest.raises(ValidationError) as excinfo:
        services.registration_create(
            meeting=meeting, person=person, by=person.user, now=past["now"] - DAY
        )
    assert excinfo.value.code == "not_in_audience"
    assert not Registration.objects.exists()


def test_attendance_as_of_during_the_meeting_records_evidence(past):
    meeting = publish_days_ago(past)
    first, second = past["people"]
    services.registration_create(meeting=meeting, person=first, by=None, now=past["now"] - DAY)
    during = meeting.starts_at + dt.timedelta(minutes=20)

    services.attendance_mark_many(
        meeting=meeting,
        marks={first: M.PRESENT, second: M.ABSENT},
        method=ROSTER,
        by=past["coordinator"],
        now=during,
    )

    present = Attendance.objects.get(meeting=meeting, person=first)
    assert present.marked_at == during and not present.walk_in
    assert Attendance.objects.get(meeting=meeting, person=second).walk_in
    evidence = Evidence.objects.get(person=first)
    assert evidence.source_reference == f"meeting:{meeting.pk}"
    assert evidence.achieved_on == timezone.localdate(meeting.starts_at)
    assert not Evidence.objects.filter(person=second).exists()


def test_attendance_as_of_before_the_window_is_refused(past):
    meeting = publish_days_ago(past)
    person = past["people"][0]
    too_early = meeting.starts_at - dt.timedelta(minutes=31)
    for call in (
        lambda: services.attendance_mark_many(
            meeting=meeting,
            marks={person: M.PRESENT},
            method=ROSTER,
            by=past["coordinator"],
            now=too_early,
        ),
        lambda: services.attendance_mark(
            meeting=meeting,
            person=person,
            mark=M.PRESENT,
            method=ROSTER,
            by=past["coordinator"],
            now=too_early,
        ),
    ):
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert excinfo.value.code == "too_early"
    assert not Attendance.objects.exists()
    assert not Evidence.objects.exists()

    # Half an hour before the start the sheet opens.
    attendance = services.attendance_mark(
        meeting=meeting,
        person=person,
        mark=M.PRESENT,
        method=ROSTER,
        by=past["coordinator"],
        now=meeting.starts_at - dt.timedelta(minutes=30),
    )
    assert attendance.mark == M.PRESENT


def test_attendance_as_of_the_past_still_needs_the_right_to_take_it(past, make_employee, tree):
    meeting = publish_days_ago(past)
    outsider = make_employee(tree["FR-SKOLE"])
    with pytest.raises(ValidationError) as excinfo:
        services.attendance_mark_many(
            meeting=meeting,
            marks={past["people"][0]: M.PRESENT},
            method=ROSTER,
            by=outsider.user,
            now=meeting.starts_at,
        )
    assert excinfo.value.code == "permission_denied"
    assert not Attendance.objects.exists()


def test_mark_held_as_of(past):
    meeting = publish_days_ago(past)
    with pytest.raises(ValidationError) as excinfo:
        services.meeting_mark_held(
            meeting=meeting, by=past["coordinator"], now=meeting.starts_at - HOUR
        )
    assert excinfo.value.code == "not_started"
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PUBLISHED

    held = services.meeting_mark_held(
        meeting=meeting, by=past["coordinator"], now=meeting.starts_at + HOUR / 2
    )
    assert held.status == Meeting.Status.HELD


@pytest.mark.parametrize("when", ["future", "naive"])
def test_the_clock_never_runs_ahead_and_needs_a_time_zone(past, when):
    meeting = past["meeting"]
    now = timezone.now() + HOUR if when == "future" else dt.datetime(2026, 1, 1, 12)
    calls = [
        lambda: services.meeting_publish(meeting=meeting, by=None, now=now),
        lambda: services.meeting_mark_held(meeting=meeting, by=None, now=now),
        lambda: services.registration_create(
            meeting=meeting, person=past["people"][0], by=None, now=now
        ),
        lambda: services.attendance_mark(
            meeting=meeting,
            person=past["people"][0],
            mark=M.PRESENT,
            method=ROSTER,
            by=None,
            now=now,
        ),
        lambda: services.attendance_mark_many(
            meeting=meeting, marks={past["people"][0]: M.PRESENT}, method=ROSTER, by=None, now=now
        ),
    ]
    for call in calls:
        with pytest.raises(ValueError):
            call()
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.DRAFT
    assert not Registration.objects.exists()
    assert not Attendance.objects.exists()
