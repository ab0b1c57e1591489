import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import services
from attendance.models import Meeting, Registration
from attendance.notifications import meetings as notifications
from lms.people.models import Role
from tests.factories import JobCategoryFactory

R = Registration.Status
S = Meeting.Status


@pytest.fixture
def seam(monkeypatch):
    """Records the notification seam's calls (they run on commit)."""
    calls = []
    for name in (
        "registration_confirmed",
        "registration_waitlisted",
        "registration_promoted",
        "registration_cancelled",
        "meeting_changed",
        "meeting_cancelled",
    ):
        monkeypatch.setattr(
            notifications, name, lambda _n=name, **kw: calls.append((_n, kw)), raising=True
        )
    return calls


def sign_up(meeting, person):
    return services.registration_create(meeting=meeting, person=person, by=person.user)


def test_confirm_then_waiting_list(
    tree, make_meeting, make_employee, seam, django_capture_on_commit_callbacks
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], capacity=2)
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        regs = [sign_up(meeting, p) for p in people]
    assert [r.status for r in regs] == [R.CONFIRMED, R.CONFIRMED, R.WAITING, R.WAITING]
    meeting.refresh_from_db()
    assert meeting.confirmed_count == 2
    assert [name for name, _ in seam] == ["registration_confirmed"] * 2 + [
        "registration_waitlisted"
    ] * 2
    assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 4


def test_sign_up_twice_returns_the_same_registration(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    person = make_employee(tree["HJ-SKOLE"])
    first = sign_up(meeting, person)
    again = sign_up(meeting, person)
    assert again.pk == first.pk
    assert Registration.objects.filter(meeting=meeting).count() == 1
    meeting.refresh_from_db()
    assert meeting.confirmed_count == 1


def test_database_refuses_two_live_registrations(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"])
    sign_up(meeting, person)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            meeting=meeting, person=person, status=R.WAITING, created_at=timezone.now()
        )


def test_database_refuses_overbooking(tree, make_meeting):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(confirmed_count=2)


def test_cancel_promotes_first_on_waiting_list(
    tree, make_meeting, make_employee, seam, django_capture_on_commit_callbacks
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    a, b, c = (make_employee(tree["HJ-SKOLE"]) for _ in range(3))
    ra, rb, rc = sign_up(meeting, a), sign_up(meeting, b), sign_up(meeting, c)
    seam.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=ra, by=a.user)
    ra.refresh_from_db()
    rb.refresh_from_db()
    rc.refresh_from_db()
    assert ra.status == R.CANCELLED and ra.cancelled_at is not None
    assert rb.status == R.CONFIRMED and rb.promoted_at is not None
    assert rc.status == R.WAITING
    meeting.refresh_from_db()
    assert meeting.confirmed_count == 1
    assert ("registration_promoted", {"registration_id": rb.pk}) in seam
    assert ModelLogEntry.objects.filter(action="lms.registration.promote").count() == 1


def test_cancel_waiting_registration_promotes_nobody(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    a, b, c = (make_employee(tree["HJ-SKOLE"]) for _ in range(3))
    sign_up(meeting, a)
    rb, rc = sign_up(meeting, b), sign_up(meeting, c)
    services.registration_cancel(registration=rb, by=b.user)
    rc.refresh_from_db()
    assert rc.status == R.WAITING
    meeting.refresh_from_db()
    assert meeting.confirmed_count == 1


def test_sign_up_again_after_cancelling(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    a, b = make_employee(tree["HJ-SKOLE"]), make_employee(tree["HJ-SKOLE"])
    ra = sign_up(meeting, a)
    services.registration_cancel(registration=ra, by=a.user)
    sign_up(meeting, b)
    again = sign_up(meeting, a)
    assert again.pk != ra.pk
    assert again.status == R.WAITING
    assert Registration.objects.filter(meeting=meeting, person=a).count() == 2
    # Cancelling twice changes nothing.
    assert services.registration_cancel(registration=ra, by=a.user).status == R.CANCELLED


def test_capacity_raise_promotes(
    tree, make_meeting, make_employee, seam, django_capture_on_commit_callbacks
):
    coordinator_meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(4)]
    regs = [sign_up(coordinator_meeting, p) for p in people]
    seam.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=coordinator_meeting, capacity=3, by=None)
    statuses = [Registration.objects.get(pk=r.pk).status for r in regs]
    assert statuses == [R.CONFIRMED, R.CONFIRMED, R.CONFIRMED, R.WAITING]
    coordinator_meeting.refresh_from_db()
    assert coordinator_meeting.confirmed_count == 3
    assert [n for n, _ in seam] == ["registration_promoted"] * 2


def test_capacity_below_confirmed_refused(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=3)
    for _ in range(2):
        sign_up(meeting, make_employee(tree["HJ-SKOLE"]))
    with pytest.raises(ValidationError) as error:
        services.meeting_update(meeting=meeting, capacity=1, by=None)
    assert "capacity" in error.value.message_dict
    meeting.refresh_from_db()
    assert meeting.capacity == 3


def test_self_cancel_after_cutoff_refused_staff_may(tree, make_meeting, make_employee, make_staff):
    meeting = make_meeting(
        tree["HJ"],
        audience=[tree["HJ"]],
        starts_in=dt.timedelta(hours=10),
        cancellation_cutoff_hours=24,
    )
    person = make_employee(tree["HJ-SKOLE"])
    registration = sign_up(meeting, person)
    with pytest.raises(ValidationError) as error:
        services.registration_cancel(registration=registration, by=person.user)
    assert error.value.code == "cutoff_passed"
    registration.refresh_from_db()
    assert registration.status == R.CONFIRMED
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    services.registration_cancel(registration=registration, by=coordinator)
    registration.refresh_from_db()
    assert registration.status == R.CANCELLED


def test_someone_else_cannot_cancel(tree, make_meeting, make_employee, make_staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person, other = make_employee(tree["HJ-SKOLE"]), make_employee(tree["HJ-SKOLE"])
    registration = sign_up(meeting, person)
    for intruder in (other.user, make_staff(Role.COORDINATOR, tree["FR"])):
        with pytest.raises(ValidationError):
            services.registration_cancel(registration=registration, by=intruder)
    registration.refresh_from_db()
    assert registration.status == R.CONFIRMED


def test_cancelled_meeting_refuses_sign_up(
    tree, make_meeting, make_employee, seam, django_capture_on_commit_callbacks
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=meeting, reason="Underviser syg", by=None)
    assert ("meeting_cancelled", {"meeting_id": meeting.pk}) in seam
    with pytest.raises(ValidationError) as error:
        sign_up(meeting, make_employee(tree["HJ-SKOLE"]))
    assert error.value.code == "cancelled"
    assert not Registration.objects.filter(meeting=meeting).exists()


def test_stale_meeting_object_is_rechecked_inside_the_lock(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_cancel(meeting=meeting, reason="Aflyst", by=None)
    with pytest.raises(ValidationError):
        sign_up(stale, make_employee(tree["HJ-SKOLE"]))
    assert not Registration.objects.exists()


def test_draft_and_started_meetings_refuse_sign_up(tree, make_meeting, make_employee):
    person = make_employee(tree["HJ-SKOLE"])
    draft = make_meeting(tree["HJ"], audience=[tree["HJ"]], publish=False)
    with pytest.raises(ValidationError) as error:
        sign_up(draft, person)
    assert error.value.code == "not_open"
    started = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    Meeting.objects.filter(pk=started.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    started.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        sign_up(started, person)
    assert error.value.code == "started"
    assert not Registration.objects.exists()


def test_outside_audience_refused(tree, make_meeting, make_employee):
    teachers = JobCategoryFactory(code="teacher")
    nurses = JobCategoryFactory(code="nurse")
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], job_categories=[teachers])
    for person in (
        make_employee(tree["FR-SKOLE"], job_category=teachers),  # other municipality
        make_employee(tree["HJ-GYM"], job_category=teachers),  # not below BFU
        make_employee(tree["HJ-SKOLE"], job_category=nurses),  # wrong job category
    ):
        with pytest.raises(ValidationError) as error:
            sign_up(meeting, person)
        assert error.value.code == "not_in_audience"
    ok = sign_up(meeting, make_employee(tree["HJ-SKOLE"], job_category=teachers))
    assert ok.status == R.CONFIRMED
    assert Registration.objects.count() == 1


def test_institution_meeting_is_for_its_staff(tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"])
    assert sign_up(meeting, make_employee(tree["HJ-GYM"])).status == R.CONFIRMED
    with pytest.raises(ValidationError):
        sign_up(meeting, make_employee(tree["HJ-SKOLE"]))


def test_staff_books_person_of_own_area_only(tree, make_meeting, make_employee, make_staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    person = make_employee(tree["HJ-SKOLE"])
    registration = services.registration_create(meeting=meeting, person=person, by=coordinator)
    assert registration.created_by == coordinator
    stranger = make_employee(tree["HJ-SKOLE"])
    with pytest.raises(ValidationError) as error:
        services.registration_create(
            meeting=meeting, person=stranger, by=make_staff(Role.COORDINATOR, tree["FR"])
        )
    assert error.value.code == "permission_denied"
    # Another employee cannot sign someone else up.
    with pytest.raises(ValidationError):
        services.registration_create(meeting=meeting, person=stranger, by=person.user)
    assert Registration.objects.count() == 1


# --- Lifecycle -----------------------------------------------------------------------------------


def test_lifecycle_happy_path_is_audit_logged(tree, make_meeting):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    meeting = services.meeting_mark_held(meeting=meeting, by=None)
    assert meeting.status == S.HELD
    meeting = services.meeting_close(meeting=meeting, by=None)
    assert meeting.status == S.CLOSED
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(meeting.pk))
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "lms.meeting.create",
        "lms.meeting.publish",
        "lms.meeting.held",
        "lms.meeting.close",
    ]


@pytest.mark.parametrize(
    "transition",
    [
        lambda m: services.meeting_publish(meeting=m, by=None),
        lambda m: services.meeting_cancel(meeting=m, reason="x", by=None),
        lambda m: services.meeting_mark_held(meeting=m, by=None),
        lambda m: services.meeting_update(meeting=m, title="Nyt", by=None),
    ],
)
def test_bad_transitions_from_closed_refused(tree, make_meeting, transition):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    Meeting.objects.filter(pk=meeting.pk).update(status=S.CLOSED)
    with pytest.raises(ValidationError) as error:
        transition(meeting)
    assert error.value.code == "invalid_transition"
    meeting.refresh_from_db()
    assert meeting.status == S.CLOSED
    assert meeting.title != "Nyt"


def test_transition_errors(tree, make_meeting):
    draft = make_meeting(tree["HJ"], audience=[tree["HJ"]], publish=False)
    with pytest.raises(ValidationError):
        services.meeting_close(meeting=draft, by=None)
    with pytest.raises(ValidationError):
        services.meeting_mark_held(meeting=draft, by=None)
    published = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    with pytest.raises(ValidationError) as error:
        services.meeting_mark_held(meeting=published, by=None)  # not started yet
    assert error.value.code == "not_started"
    with pytest.raises(ValidationError):
        services.meeting_publish(meeting=published, by=None)
    with pytest.raises(ValidationError) as error:
        services.meeting_cancel(meeting=published, reason="  ", by=None)
    assert "reason" in error.value.message_dict
    draft.refresh_from_db()
    published.refresh_from_db()
    assert (draft.status, published.status) == (S.DRAFT, S.PUBLISHED)
    assert ModelLogEntry.objects.filter(action="lms.meeting.cancel").count() == 0


def test_publish_needs_audience_and_place(tree, make_meeting):
    meeting = make_meeting(tree["HJ"], publish=False, venue="")
    with pytest.raises(ValidationError) as error:
        services.meeting_publish(meeting=meeting, by=None)
    assert "audience_units" in error.value.message_dict
    services.meeting_update(meeting=meeting, audience_units=[tree["HJ-BFU"]], by=None)
    with pytest.raises(ValidationError) as error:
        services.meeting_publish(meeting=meeting, by=None)
    assert "venue" in error.value.message_dict
    services.meeting_update(meeting=meeting, online_url="https://meet.example.dk/abc", by=None)
    assert services.meeting_publish(meeting=meeting, by=None).status == S.PUBLISHED


def test_create_validation(tree, make_staff):
    start = timezone.now() + dt.timedelta(days=3)
    base = {
        "kind": Meeting.Kind.DIALOGUE,
        "title": "Dialogmøde",
        "org_unit": tree["HJ-BFU"],
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=1),
        "capacity": 5,
    }
    with pytest.raises(ValidationError) as error:
        services.meeting_create(**{**base, "ends_at": start}, by=None)
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_create(**{**base, "capacity": 0}, by=None)
    assert "capacity" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_create(**base, audience_units=[tree["FR-SKOLE"]], by=None)
    assert "audience_units" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_create(**base, institution=tree["HJ-SKOLE"], by=None)
    assert "institution" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_create(**base, by=make_staff(Role.COORDINATOR, tree["FR"]))
    assert "org_unit" in error.value.message_dict
    assert not Meeting.objects.exists()
    meeting = services.meeting_create(**base, by=make_staff(Role.COORDINATOR, tree["HJ"]))
    assert meeting.status == S.DRAFT


def test_time_change_raises_sequence_and_notifies(
    tree, make_meeting, seam, django_capture_on_commit_callbacks
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_update(
            meeting=meeting,
            starts_at=meeting.starts_at + dt.timedelta(hours=1),
            ends_at=meeting.ends_at + dt.timedelta(hours=1),
            by=None,
        )
    assert meeting.sequence == 1
    assert seam == [("meeting_changed", {"meeting_id": meeting.pk, "sequence": 1})]
    # A change of description only moves nothing in calendars.
    meeting = services.meeting_update(meeting=meeting, description="Mere tekst", by=None)
    assert meeting.sequence == 1


def test_manager_of_other_municipality_cannot_change(tree, make_meeting, make_staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    outsider = make_staff(Role.COORDINATOR, tree["FR"])
    for call in (
        lambda: services.meeting_update(meeting=meeting, title="Hacked", by=outsider),
        lambda: services.meeting_cancel(meeting=meeting, reason="x", by=outsider),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.code == "permission_denied"
    meeting.refresh_from_db()
    assert (meeting.title, meeting.status) != ("Hacked", S.CANCELLED)
    assert meeting.status == S.PUBLISHED
