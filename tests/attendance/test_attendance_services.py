"""Attendance services: marks, the competence evidence they record or void, walk-ins."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from attendance import services
from attendance.models import Attendance, Meeting
from lms.competence.models import Evidence
from lms.people.models import OrgUnit, Person, Role
from tests.factories import CompetenceFactory, PersonFactory

M = Attendance.Mark
ROSTER = Attendance.Method.ROSTER


@pytest.fixture
def setup(tree, live_meeting, make_staff, make_employee):
    competence = CompetenceFactory(code="BEK", name="Kender bekymringstegn")
    facilitator = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    person = make_employee(tree["HJ-SKOLE"])
    meeting = live_meeting(
        tree["HJ"], audience=[tree["HJ-BFU"]], competence=competence, registrants=[person]
    )
    meeting.facilitators.add(facilitator)
    return {
        "meeting": meeting,
        "person": person,
        "competence": competence,
        "facilitator": facilitator,
    }


def valid_evidence(person):
    return Evidence.objects.filter(person=person, voided_at=None)


def test_present_records_evidence_once_however_often_marked(setup):
    meeting, person, facilitator = setup["meeting"], setup["person"], setup["facilitator"]
    for mark in (M.PRESENT, M.PRESENT, M.LATE, M.PRESENT):
        services.attendance_mark(
            meeting=meeting, person=person, mark=mark, method=ROSTER, by=facilitator
        )
    evidence = valid_evidence(person).get()
    assert evidence.competence == setup["competence"]
    assert evidence.source == Evidence.Source.MEETING
    assert evidence.source_reference == f"meeting:{meeting.pk}"
    assert Evidence.objects.filter(person=person).count() == 1
    attendance = Attendance.objects.get(meeting=meeting, person=person)
    assert attendance.mark == M.PRESENT and attendance.marked_by == facilitator
    assert not attendance.walk_in


def test_absent_voids_evidence_with_reason_in_audit_log(setup):
    meeting, person, facilitator = setup["meeting"], setup["person"], setup["facilitator"]
    services.attendance_mark(
        meeting=meeting, person=person, mark=M.PRESENT, method=ROSTER, by=facilitator
    )
    services.attendance_mark(
        meeting=meeting, person=person, mark=M.ABSENT, method=ROSTER, by=facilitator
    )
    assert not valid_evidence(person).exists()
    voided = Evidence.objects.get(person=person)
    assert voided.void_reason
    entry = ModelLogEntry.objects.filter(action="lms.evidence.void").get()
    assert entry.data["reason"] == voided.void_reason
    mark_entry = ModelLogEntry.objects.filter(action="lms.attendance.mark").latest("pk")
    assert mark_entry.data["void_reason"] == voided.void_reason
    assert mark_entry.user_id == facilitator.pk
    # Present again: new evidence; still only one valid row.
    services.attendance_mark(
        meeting=meeting, person=person, mark=M.PRESENT, method=ROSTER, by=facilitator
    )
    services.attendance_mark(
        meeting=meeting, person=person, mark=M.EXCUSED, method=ROSTER, by=facilitator
    )
    assert not valid_evidence(person).exists()
    assert Evidence.objects.filter(person=person).count() == 2


def test_bad_mark_changes_nothing(setup):
    with pytest.raises(ValidationError):
        services.attendance_mark(
            meeting=setup["meeting"], person=setup["person"], mark="maybe", method=ROSTER, by=None
        )
    assert not Attendance.objects.exists()


def test_outsider_may_not_mark(setup, tree, make_staff, make_employee):
    other = make_staff(Role.COORDINATOR, tree["FR"])
    employee = make_employee(tree["HJ-SKOLE"]).user
    for user in (other, employee):
        with pytest.raises(ValidationError):
            services.attendance_mark(
                meeting=setup["meeting"],
                person=setup["person"],
                mark=M.PRESENT,
                method=ROSTER,
                by=user,
            )
    assert not Attendance.objects.exists() and not Evidence.objects.exists()


def test_not_before_the_meeting_and_not_when_closed(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])  # in a week
    person = make_employee(tree["HJ-SKOLE"])
    with pytest.raises(ValidationError) as info:
        services.attendance_mark(
            meeting=meeting, person=person, mark=M.PRESENT, method=ROSTER, by=None
        )
    assert info.value.code == "too_early"
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    meeting.refresh_from_db()
    with pytest.raises(ValidationError):
        services.attendance_mark(
            meeting=meeting, person=person, mark=M.PRESENT, method=ROSTER, by=None
        )
    assert not Attendance.objects.exists()


def test_walk_in_from_roster(setup, tree):
    walker = PersonFactory(org_unit=tree["HJ-SKOLE"])
    attendance = services.attendance_add_walk_in(
        meeting=setup["meeting"], person=walker, by=setup["facilitator"]
    )
    assert attendance.walk_in and attendance.mark == M.PRESENT
    assert valid_evidence(walker).count() == 1
    assert ModelLogEntry.objects.filter(action="lms.attendance.walk_in").exists()


def test_walk_in_outside_scope_refused(setup, tree):
    stranger = PersonFactory(org_unit=tree["FR-SKOLE"])
    with pytest.raises(ValidationError):
        services.attendance_add_walk_in(
            meeting=setup["meeting"], person=stranger, by=setup["facilitator"]
        )
    assert not Attendance.objects.exists()


def test_walk_in_new_external_person(setup, tree):
    attendance = services.attendance_add_walk_in(
        meeting=setup["meeting"],
        name="Ekstern Gæst",
        email="gaest@gym.dk",
        org_unit=tree["HJ-GYM"],
        by=setup["facilitator"],
    )
    person = Person.objects.get(email="gaest@gym.dk")
    assert person.org_unit == tree["HJ-GYM"] and attendance.person == person
    assert attendance.walk_in
    assert ModelLogEntry.objects.filter(action="lms.person.create").exists()


def test_walk_in_new_person_needs_external_unit_in_scope(setup, tree):
    for unit in (tree["HJ-SKOLE"], tree["FR-GYM"]):  # not external / not this meeting's
        with pytest.raises(ValidationError):
            services.attendance_add_walk_in(
                meeting=setup["meeting"],
                name="Ekstern Gæst",
                email="gaest@gym.dk",
                org_unit=unit,
                by=setup["facilitator"],
            )
    assert not Person.objects.filter(email="gaest@gym.dk").exists()
    assert OrgUnit.objects.filter(kind=OrgUnit.Kind.INSTITUTION).count() == 2


def test_meeting_without_competence_records_no_evidence(tree, live_meeting, make_employee):
    meeting = live_meeting(tree["HJ"], audience=[tree["HJ"]], started=dt.timedelta(0))
    person = make_employee(tree["HJ-SKOLE"])
    services.attendance_mark(meeting=meeting, person=person, mark=M.PRESENT, method=ROSTER, by=None)
    assert not Evidence.objects.exists()
