"""Meeting requests: the services (attendance.services.requests) and the policy they ask."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import access as meeting_access
from attendance import services
from attendance.demo.requests import requests_demo_load
from attendance.models import Meeting, MeetingRequest
from attendance.notifications import meetings as notifications
from lms.people.models import OrgUnit, Person, User
from tests.factories import CompetenceFactory, JobCategoryFactory

from .builders import accept_data, future, request_data

S = MeetingRequest.Status


def logged(request, action):
    return ModelLogEntry.objects.filter(
        content_type__model="meetingrequest", object_id=str(request.pk), action=action
    )


# --- Creating -----------------------------------------------------------------------------------


def test_institution_coordinator_requests_a_meeting(cast, make_request):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    request = make_request(job_categories=[teacher], message="  Gerne snart.  ")
    assert request.status == S.SUBMITTED
    assert request.requested_by == cast.institution
    assert request.org_unit == cast.units["HJ-GYM"]
    assert request.message == "Gerne snart."
    assert list(request.job_categories.all()) == [teacher]
    entry = logged(request, "lms.meetingrequest.create").get()
    assert entry.user_id == cast.institution.pk
    assert entry.data == {"org_unit_id": cast.units["HJ-GYM"].pk, "kind": "information"}


def test_department_contact_requests_for_a_workplace_of_their_administration(cast, make_request):
    request = make_request(by=cast.contact, unit=cast.units["HJ-SKOLE"])
    assert request.org_unit == cast.units["HJ-SKOLE"]


@pytest.mark.parametrize(
    "who", ["other_institution", "other_contact", "other_coordinator", "employee"]
)
def test_requesting_outside_one_s_area_is_refused(cast, make_request, who):
    with pytest.raises(ValidationError) as error:
        make_request(by=getattr(cast, who), unit=cast.units["HJ-GYM"])
    assert "org_unit" in error.value.message_dict
    assert not MeetingRequest.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"preferred_from": dt.timedelta(days=-1)}, "preferred_from", "fortiden"),
        (
            {"preferred_from": dt.timedelta(days=10), "preferred_until": dt.timedelta(days=9)},
            "preferred_until",
            "på eller efter",
        ),
        ({"expected_participants": 0}, "expected_participants", "mindst én"),
        ({"expected_participants": -3}, "expected_participants", "mindst én"),
        ({"kind": "party"}, "kind", "mødets type"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error(cast, make_request, fields, field, message):
    today = timezone.localdate()
    fields = {k: today + v if isinstance(v, dt.timedelta) else v for k, v in fields.items()}
    with pytest.raises(ValidationError) as error:
        make_request(**fields)
    assert message in " ".join(error.value.message_dict[field])
    assert not MeetingRequest.objects.exists()
    assert not ModelLogEntry.objects.filter(action__startswith="lms.meetingrequest").exists()


def test_a_one_day_period_starting_today_is_fine(cast, make_request):
    today = timezone.localdate()
    request = make_request(preferred_from=today, preferred_until=today)
    assert request.preferred_until == today


# --- Accepting ----------------------------------------------------------------------------------


def test_coordinator_accepts_and_the_meeting_is_published_for_the_institution(cast, make_request):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    competence = CompetenceFactory()
    request = make_request(job_categories=[teacher])
    accepted = services.request_accept(
        request=request,
        by=cast.coordinator,
        facilitators=[cast.coordinator],
        competence=competence,
        **accept_data(),
    )
    assert accepted.status == S.ACCEPTED
    assert accepted.handled_by == cast.coordinator and accepted.handled_at is not None
    meeting = accepted.meeting
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.kind == request.kind
    # Organised by the top of the coordinator's area, for the institution's staff.
    assert meeting.org_unit == cast.units["HJ"]
    assert meeting.institution == cast.units["HJ-GYM"]
    assert list(meeting.audience_units.all()) == [cast.units["HJ-GYM"]]
    assert list(meeting.job_categories.all()) == [teacher]
    assert list(meeting.facilitators.all()) == [cast.coordinator]
    assert meeting.competence == competence
    assert meeting.created_by == cast.coordinator
    assert logged(request, "lms.meetingrequest.accept").get().data == {
        "meeting_id": meeting.pk,
        "job_category_ids": [teacher.pk],
    }
    # The institution's teachers may now see it and sign up.
    assert meeting_access.can_sign_up(User.objects.get(pk=cast.employee.pk), meeting)
    assert not meeting_access.can_sign_up(cast.outsider, meeting)


def test_accepting_for_a_workplace_sets_no_institution(cast, make_request):
    request = make_request(by=cast.contact, unit=cast.units["HJ-SKOLE"])
    request = services.request_accept(request=request, by=cast.coordinator, **accept_data())
    assert request.meeting.institution is None
    assert list(request.meeting.audience_units.all()) == [cast.units["HJ-SKOLE"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": future(20, 9)}, "ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"starts_at": future(-2, 10), "ends_at": future(-2, 12)}, "starts_at"),
        ({"venue": ""}, "venue"),
    ],
)
def test_bad_accept_changes_nothing(cast, make_request, overrides, field):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        services.request_accept(request=request, by=cast.coordinator, **accept_data(**overrides))
    assert field in error.value.message_dict
    request.refresh_from_db()
    assert request.status == S.SUBMITTED and request.meeting is None
    assert not Meeting.objects.exists()


def test_an_organiser_that_does_not_hold_the_unit_is_refused(cast, make_request):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        services.request_accept(
            request=request, by=cast.coordinator, organiser=cast.units["HJ-BFU"], **accept_data()
        )
    assert "organiser" in error.value.message_dict
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    "who", ["other_coordinator", "institution", "contact", "other_institution", "employee"]
)
def test_only_a_coordinator_of_the_unit_answers(cast, make_request, who):
    request = make_request()
    user = getattr(cast, who)
    for answer in (
        lambda: services.request_accept(request=request, by=user, **accept_data()),
        lambda: services.request_propose(
            request=request, by=user, starts_at=future(30), ends_at=future(30, 12)
        ),
        lambda: services.request_decline(request=request, by=user, reason="Nej"),
    ):
        with pytest.raises(ValidationError) as error:
            answer()
        assert error.value.code == "permission_denied"
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    assert not Meeting.objects.exists()


def test_an_answered_request_cannot_be_answered_again(cast, make_request):
    request = make_request()
    services.request_accept(request=request, by=cast.coordinator, **accept_data())
    with pytest.raises(ValidationError) as error:
        services.request_accept(request=request, by=cast.coordinator, **accept_data())
    assert "allerede besvaret" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.request_decline(request=request, by=cast.coordinator, reason="Nej")
    assert Meeting.objects.count() == 1


# --- Proposing another time ---------------------------------------------------------------------


def test_propose_then_the_requester_accepts(cast, make_request):
    competence = CompetenceFactory()
    # The Infohus's last information meeting awarded this competence: so does the new one.
    earlier = services.meeting_create(
        kind=Meeting.Kind.INFORMATION,
        title="Tidligere møde",
        org_unit=cast.units["HJ"],
        audience_units=[cast.units["HJ"]],
        starts_at=future(3),
        ends_at=future(3, 12),
        capacity=5,
        venue="Rådhuset",
        competence=competence,
        by=None,
    )
    request = make_request(expected_participants=25, place="")
    request = services.request_propose(
        request=request,
        by=cast.coordinator,
        starts_at=future(30, 14),
        ends_at=future(30, 16),
        message="Passer denne dag?",
    )
    assert request.status == S.PROPOSED
    assert request.response == "Passer denne dag?"
    assert request.handled_by == cast.coordinator
    # A colleague at the same institution may answer the proposal too.
    request = services.request_proposal_accept(request=request, by=cast.colleague)
    assert request.status == S.ACCEPTED
    meeting = request.meeting
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.starts_at == future(30, 14) and meeting.ends_at == future(30, 16)
    assert meeting.title == "Informationsmøde: HJ Gymnasium"
    assert meeting.venue == "HJ Gymnasium"  # no place was asked for: at the unit itself
    assert meeting.capacity == 25
    assert meeting.org_unit == cast.units["HJ"]
    assert list(meeting.facilitators.all()) == [cast.coordinator]
    assert meeting.competence == competence == earlier.competence
    assert meeting.created_by is None  # the system, after the requester's access was checked
    entry = logged(request, "lms.meetingrequest.proposal_accept").get()
    assert entry.user_id == cast.colleague.pk


def test_propose_then_the_requester_declines_and_the_coordinator_tries_again(cast, make_request):
    request = make_request(message="Gerne om bekymringstegn.")
    services.request_propose(
        request=request, by=cast.coordinator, starts_at=future(30), ends_at=future(30, 12)
    )
    with pytest.raises(ValidationError) as error:
        services.request_proposal_decline(request=request, message="  ", by=cast.institution)
    assert "message" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == S.PROPOSED
    request = services.request_proposal_decline(
        request=request, message="Kun tirsdage.", by=cast.institution
    )
    assert request.status == S.SUBMITTED
    assert request.message.startswith("Gerne om bekymringstegn.")
    assert request.message.endswith("Kun tirsdage.")
    assert "Svar på det foreslåede tidspunkt" in request.message
    request = services.request_propose(
        request=request, by=cast.coordinator, starts_at=future(35), ends_at=future(35, 12)
    )
    assert request.status == S.PROPOSED


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        (future(-1), future(-1, 12), "starts_at"),
        (future(30, 12), future(30, 10), "ends_at"),
        (None, future(30, 10), "starts_at"),
    ],
)
def test_bad_proposal_changes_nothing(cast, make_request, starts_at, ends_at, field):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        services.request_propose(
            request=request, by=cast.coordinator, starts_at=starts_at, ends_at=ends_at
        )
    assert field in error.value.message_dict
    request.refresh_from_db()
    assert request.status == S.SUBMITTED and request.proposed_starts_at is None


@pytest.mark.parametrize("who", ["other_institution", "other_contact", "employee", "outsider"])
def test_only_the_requester_side_follows_up(cast, make_request, who):
    request = make_request()
    services.request_propose(
        request=request, by=cast.coordinator, starts_at=future(30), ends_at=future(30, 12)
    )
    user = getattr(cast, who)
    for follow_up in (
        lambda: services.request_proposal_accept(request=request, by=user),
        lambda: services.request_proposal_decline(request=request, message="Nej", by=user),
        lambda: services.request_withdraw(request=request, by=user),
    ):
        with pytest.raises(ValidationError) as error:
            follow_up()
        assert error.value.code == "permission_denied"
    request.refresh_from_db()
    assert request.status == S.PROPOSED


def test_a_proposal_in_the_past_cannot_be_accepted(cast, make_request):
    request = make_request()
    services.request_propose(
        request=request, by=cast.coordinator, starts_at=future(30), ends_at=future(30, 12)
    )
    # Time passes: the proposed time is behind us.
    past = timezone.now() - dt.timedelta(hours=1)
    MeetingRequest.objects.filter(pk=request.pk).update(
        proposed_starts_at=past, proposed_ends_at=past + dt.timedelta(hours=2)
    )
    with pytest.raises(ValidationError) as error:
        services.request_proposal_accept(request=request, by=cast.institution)
    assert error.value.code == "proposal_passed"
    assert not Meeting.objects.exists()


def test_proposal_accept_needs_a_proposal(cast, make_request):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        services.request_proposal_accept(request=request, by=cast.institution)
    assert error.value.code == "invalid_transition"


# --- Declining and withdrawing ------------------------------------------------------------------


def test_decline_needs_a_reason(cast, make_request):
    request = make_request()
    with pytest.raises(ValidationError) as error:
        services.request_decline(request=request, reason="   ", by=cast.coordinator)
    assert "reason" in error.value.message_dict
    request.refresh_from_db()
    assert request.status == S.SUBMITTED and request.response == ""
    request = services.request_decline(
        request=request, reason="Vi har ikke kapacitet.", by=cast.coordinator
    )
    assert (request.status, request.response) == (S.DECLINED, "Vi har ikke kapacitet.")
    assert logged(request, "lms.meetingrequest.decline").get().data == {"was": "submitted"}


def test_a_proposed_request_can_be_declined(cast, make_request):
    request = make_request()
    services.request_propose(
        request=request, by=cast.coordinator, starts_at=future(30), ends_at=future(30, 12)
    )
    request = services.request_decline(request=request, reason="Alligevel ikke.", by=None)
    assert request.status == S.DECLINED


def test_withdraw(cast, make_request):
    request = make_request()
    request = services.request_withdraw(request=request, by=cast.institution)
    assert request.status == S.WITHDRAWN
    with pytest.raises(ValidationError):
        services.request_withdraw(request=request, by=cast.institution)
    with pytest.raises(ValidationError):
        services.request_accept(request=request, by=cast.coordinator, **accept_data())


# --- Policy -------------------------------------------------------------------------------------


def test_who_sees_which_requests(cast, make_request):
    gym = make_request()
    school = make_request(by=cast.contact, unit=cast.units["HJ-SKOLE"])
    everything = MeetingRequest.objects.all()

    def seen(user):
        return set(meeting_access.requests_visible_to(user, everything))

    assert seen(cast.coordinator) == {gym, school}
    assert seen(cast.institution) == seen(cast.colleague) == {gym}
    assert seen(cast.contact) == {school}
    for user in (cast.other_coordinator, cast.other_institution, cast.other_contact):
        assert seen(user) == set()
    assert seen(cast.employee) == set()
    assert set(meeting_access.requests_answerable_by(cast.coordinator, everything)) == {gym, school}
    assert set(meeting_access.requests_answerable_by(cast.institution, everything)) == set()
    assert set(meeting_access.request_units(cast.institution)) == {cast.units["HJ-GYM"]}
    assert set(meeting_access.request_answerers(gym)) == {cast.coordinator}


def test_request_organiser(cast):
    gym = cast.units["HJ-GYM"]
    assert meeting_access.request_organiser(cast.coordinator, gym) == cast.units["HJ"]
    # Without a scope (the system): the top of the tree above the unit.
    assert meeting_access.request_organiser(None, gym) == cast.units["HJ"]
    assert meeting_access.request_organiser(cast.other_coordinator, gym) == cast.units["HJ"]
    assert isinstance(meeting_access.request_organiser(None, cast.units["FR-SKOLE"]), OrgUnit)


# --- Demo ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_load_creates_each_state_once_without_mail(
    mailoutbox, django_capture_on_commit_callbacks
):
    # Not a transactional test: its flush would delete Wagtail's root page under the next
    # transactional test of the same worker. The on-commit callbacks are run instead.
    from lms.competence.demo.competences import competence_demo_load
    from lms.people.demo.people import demo_data_load

    demo_data_load()
    competence_demo_load()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert requests_demo_load() == 4
    statuses = sorted(MeetingRequest.objects.values_list("status", flat=True))
    assert statuses == sorted([S.SUBMITTED, S.PROPOSED, S.ACCEPTED, S.DECLINED])
    accepted = MeetingRequest.objects.get(status=S.ACCEPTED)
    assert accepted.meeting.status == Meeting.Status.PUBLISHED
    assert accepted.meeting.competence is not None
    assert mailoutbox == []
    assert requests_demo_load() == 0
    assert MeetingRequest.objects.count() == 4


def test_silenced_holds_when_an_outer_transaction_commits_later(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with notifications.silenced():
            services.request_create(by=cast.institution, **request_data(cast.units["HJ-GYM"]))
    assert callbacks == []
    assert mailoutbox == []


# --- The audience: job categories the unit has (issue 8) ---------------------------------------


def test_a_request_for_job_categories_nobody_at_the_unit_has_is_refused(cast, make_request):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    nurse = JobCategoryFactory(code="NURSE", name="Sundhedsplejerske")
    # A nurse elsewhere (HJ Skole) does not count for the gymnasium.
    Person.objects.filter(user=cast.outsider).update(job_category=nurse)
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    with pytest.raises(ValidationError) as error:
        make_request(job_categories=[teacher, nurse])
    assert error.value.error_dict["job_categories"][0].code == "empty_audience"
    assert "Sundhedsplejerske" in error.value.message_dict["job_categories"][0]
    assert not MeetingRequest.objects.exists()
    # Nobody chosen means everyone: accepted.
    assert make_request(job_categories=[]).status == S.SUBMITTED
    assert list(make_request(job_categories=[teacher]).job_categories.all()) == [teacher]


def test_people_who_left_are_not_an_audience(cast, make_request):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.employee).update(
        job_category=teacher, active=False, left_on=timezone.localdate()
    )
    with pytest.raises(ValidationError) as error:
        make_request(job_categories=[teacher])
    assert error.value.error_dict["job_categories"][0].code == "empty_audience"


@pytest.fixture
def emptied(cast, make_request):
    """A request for the gymnasium's teachers, whose only teacher has since changed job."""
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    request = make_request(job_categories=[teacher])
    Person.objects.filter(user=cast.employee).update(
        job_category=JobCategoryFactory(code="PAED", name="Pædagog")
    )
    return request


def test_accepting_a_request_nobody_could_attend_is_refused(cast, emptied):
    with pytest.raises(ValidationError) as error:
        services.request_accept(request=emptied, by=cast.coordinator, **accept_data())
    assert error.value.error_dict["job_categories"][0].code == "empty_audience"
    emptied.refresh_from_db()
    assert emptied.status == S.SUBMITTED
    assert not Meeting.objects.exists()


def test_the_coordinator_widens_the_audience_when_accepting(cast, emptied):
    accepted = services.request_accept(
        request=emptied, by=cast.coordinator, job_categories=[], **accept_data()
    )
    assert accepted.status == S.ACCEPTED
    assert not accepted.meeting.job_categories.exists()
    assert meeting_access.can_sign_up(User.objects.get(pk=cast.employee.pk), accepted.meeting)
    # The request keeps what was asked for.
    assert emptied.job_categories.get().code == "TEACHER"


def test_the_coordinator_may_accept_an_empty_audience_knowingly(cast, emptied):
    accepted = services.request_accept(
        request=emptied, by=cast.coordinator, empty_audience_confirmed=True, **accept_data()
    )
    assert accepted.status == S.ACCEPTED
    assert accepted.meeting.job_categories.get().code == "TEACHER"


# --- The suggested time (issue 8) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("preferred_times", "expected"),
    [
        # Monday 7 December 2026 .. Friday 18 December 2026
        ("Tirsdag eller torsdag eftermiddag efter kl. 14", "2026-12-08 14:00-16:00"),
        ("Mandag eftermiddag", "2026-12-07 13:00-15:00"),
        ("Onsdag formiddag", "2026-12-09 09:00-11:00"),
        ("torsdage kl. 8.30-10", "2026-12-10 08:30-10:00"),
        ("Fredag, ikke i uge 50", "2026-12-18 10:00-12:00"),
        ("Thursday afternoons, not on Mondays", "2026-12-10 13:00-15:00"),
        ("", "2026-12-07 10:00-12:00"),
        ("Lørdag", "2026-12-07 10:00-12:00"),  # no working Saturday: the first working day
    ],
)
def test_the_suggested_time_follows_the_request(cast, make_request, preferred_times, expected):
    request = make_request(preferred_times=preferred_times)
    request.preferred_from, request.preferred_until = dt.date(2026, 12, 7), dt.date(2026, 12, 18)
    starts_at, ends_at = services.request_suggested_time(
        request=request, today=dt.date(2026, 11, 30)
    )
    starts_at, ends_at = timezone.localtime(starts_at), timezone.localtime(ends_at)
    assert f"{starts_at:%Y-%m-%d %H:%M}-{ends_at:%H:%M}" == expected


def test_the_suggested_time_skips_holidays_and_the_past(cast, make_request):
    request = make_request(preferred_times="Mandag")
    # Easter Monday 2027 is 29 March: the next Monday of the period.
    request.preferred_from, request.preferred_until = dt.date(2027, 3, 29), dt.date(2027, 4, 9)
    starts_at, _ = services.request_suggested_time(request=request, today=dt.date(2027, 3, 1))
    assert timezone.localdate(starts_at) == dt.date(2027, 4, 5)
    # A period that has begun: not before tomorrow.
    starts_at, _ = services.request_suggested_time(request=request, today=dt.date(2027, 4, 5))
    assert timezone.localdate(starts_at) == dt.date(2027, 4, 6)
