"""Booking seats for named staff (attendance.services.bookings and the policy's booking section):
an institution coordinator books colleagues of their institution, existing or new."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import access as meeting_access
from attendance import services
from attendance.models import Meeting, Registration
from lms.people.models import Person, Role, User
from lms.people.services import person_mark_left
from tests.factories import JobCategoryFactory

R = Registration.Status
TITLE = "Informationsmøde om bekymringstegn"


@pytest.fixture
def teachers(db):
    return JobCategoryFactory(code="LAERER", name="Lærer")


@pytest.fixture
def gym_meeting(tree, make_meeting):
    """A meeting organised by Hjørring for the staff of its gymnasium."""
    return make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=10, title=TITLE)


@pytest.fixture
def booker(tree, make_staff):
    return make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])


@pytest.fixture
def staff(tree, person_factory):
    return [person_factory(org_unit=tree["HJ-GYM"], name=f"Kollega {n}") for n in range(5)]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def calendar_parts(message):
    return [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]


def nothing_written(meeting):
    meeting.refresh_from_db()
    assert not Registration.objects.filter(meeting=meeting).exists()
    assert meeting.confirmed_count == 0
    assert not ModelLogEntry.objects.filter(action__startswith="lms.booking").exists()
    assert not ModelLogEntry.objects.filter(action="lms.registration.create").exists()


# --- Booking existing colleagues ------------------------------------------------------------------


def test_booking_colleagues(gym_meeting, booker, staff, on_commit):
    with on_commit():
        result = services.seats_book(meeting=gym_meeting, people=staff[:2], by=booker)
    assert [b.person for b in result.confirmed] == staff[:2]
    assert result.waiting == result.already_registered == []
    registrations = Registration.objects.filter(meeting=gym_meeting)
    assert {r.person for r in registrations} == set(staff[:2])
    assert {r.created_by for r in registrations} == {booker}
    gym_meeting.refresh_from_db()
    assert gym_meeting.confirmed_count == 2
    entry = ModelLogEntry.objects.get(action="lms.booking.create")
    assert entry.user == booker
    assert entry.object_id == str(gym_meeting.pk)
    assert entry.data == {
        "person_ids": [p.pk for p in staff[:2]],
        "confirmed": 2,
        "waiting": 0,
        "already_registered": 0,
    }
    assert "Kollega" not in str(entry.data)  # ids, never names
    assert ModelLogEntry.objects.filter(action="lms.registration.create", user=booker).count() == 2
    # Each booked colleague gets the confirmation with the calendar invitation.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in staff[:2])
    for message in mail.outbox:
        assert message.subject == f"Tilmelding bekræftet: {TITLE}"
        assert len(calendar_parts(message)) == 1


def test_five_into_three_free_seats(tree, make_meeting, booker, staff, on_commit):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=3, title=TITLE)
    with on_commit():
        result = services.seats_book(meeting=meeting, people=staff, by=booker)
    # Seats in the order given, then the waiting list in that order.
    assert [b.person for b in result.confirmed] == staff[:3]
    assert [b.person for b in result.waiting] == staff[3:]
    meeting.refresh_from_db()
    assert meeting.confirmed_count == 3
    waiting = Registration.objects.filter(meeting=meeting, status=R.WAITING).order_by(
        "created_at", "pk"
    )
    assert [r.person for r in waiting] == staff[3:]
    assert ModelLogEntry.objects.get(action="lms.booking.create").data["waiting"] == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(mail.outbox) == 5
    for person in staff[:3]:
        assert by_address[person.email].subject == f"Tilmelding bekræftet: {TITLE}"
        assert len(calendar_parts(by_address[person.email])) == 1
    for person in staff[3:]:
        assert by_address[person.email].subject == f"Du er på ventelisten: {TITLE}"
        assert calendar_parts(by_address[person.email]) == []


def test_someone_already_signed_up_keeps_their_registration(
    tree, make_meeting, booker, make_employee, staff, on_commit
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=2)
    self_signed = make_employee(tree["HJ-GYM"])
    own = services.registration_create(meeting=meeting, person=self_signed, by=self_signed.user)
    with on_commit():
        result = services.seats_book(
            meeting=meeting, people=[self_signed, staff[0], staff[1], staff[0]], by=booker
        )
    assert [b.registration for b in result.already_registered] == [own]
    assert [b.person for b in result.confirmed] == [staff[0]]
    assert [b.person for b in result.waiting] == [staff[1]]  # the same person twice: once
    assert Registration.objects.filter(meeting=meeting).count() == 3
    assert Registration.objects.get(pk=own.pk).created_by == self_signed.user
    assert [m.to[0] for m in mail.outbox].count(self_signed.email) == 0
    # Booking only people who are signed up already writes nothing new.
    again = services.seats_book(meeting=meeting, people=[self_signed], by=booker)
    assert len(again.already_registered) == 1
    assert ModelLogEntry.objects.filter(action="lms.booking.create").count() == 1


def test_a_coordinator_who_manages_the_meeting_books_across_the_municipality(
    tree, make_meeting, make_staff, person_factory
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    people = [person_factory(org_unit=tree["HJ-GYM"]), person_factory(org_unit=tree["HJ-SKOLE"])]
    result = services.seats_book(meeting=meeting, people=people, by=coordinator)
    assert len(result.confirmed) == 2


def test_the_system_books_without_a_booker(gym_meeting, staff):
    result = services.seats_book(meeting=gym_meeting, people=staff[:1], by=None)
    assert len(result.confirmed) == 1
    assert ModelLogEntry.objects.get(action="lms.booking.create").user is None


# --- Bad input: clear error, nothing written ------------------------------------------------------


def test_nobody_chosen(gym_meeting, booker):
    with pytest.raises(ValidationError) as error:
        services.seats_book(meeting=gym_meeting, people=[], by=booker)
    assert error.value.message_dict == {"people": ["Vælg mindst én person at tilmelde."]}


def test_someone_outside_the_audience_refuses_the_whole_booking(
    tree, make_meeting, booker, person_factory, teachers
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], job_categories=[teachers])
    teacher = person_factory(org_unit=tree["HJ-GYM"], job_category=teachers)
    cook = person_factory(org_unit=tree["HJ-GYM"], name="Kok Karen")
    with pytest.raises(ValidationError) as error:
        services.seats_book(meeting=meeting, people=[teacher, cook], by=booker)
    assert [e.code for e in error.value.error_dict["people"]] == ["not_bookable"]
    assert error.value.message_dict["people"] == [
        "Ikke blandt de kolleger, du kan tilmelde dette møde (dine egne medarbejdere i "
        "mødets målgruppe): Kok Karen."
    ]
    nothing_written(meeting)


@pytest.mark.parametrize("unit", ["FR-GYM", "HJ-SKOLE"])
def test_someone_of_another_institution_or_unit(
    gym_meeting, booker, staff, tree, person_factory, unit
):
    stranger = person_factory(org_unit=tree[unit], name="Fremmed Frida")
    with pytest.raises(ValidationError) as error:
        services.seats_book(meeting=gym_meeting, people=[staff[0], stranger], by=booker)
    assert "Fremmed Frida" in error.value.message_dict["people"][0]
    nothing_written(gym_meeting)


def test_a_colleague_who_has_left(gym_meeting, booker, staff):
    person_mark_left(person=staff[1], left_on=timezone.localdate(), by=None)
    staff[1].refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.seats_book(meeting=gym_meeting, people=staff[:2], by=booker)
    assert error.value.message_dict["people"] == [
        "Ikke længere aktive og kan derfor ikke tilmeldes: Kollega 1."
    ]
    nothing_written(gym_meeting)


def test_a_stale_person_object_is_checked_against_the_database(gym_meeting, booker, staff):
    """The caller's copy still says active; the database knows better."""
    Person.objects.filter(pk=staff[0].pk).update(active=False, left_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.seats_book(meeting=gym_meeting, people=[staff[0]], by=booker)
    nothing_written(gym_meeting)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("draft", "Der er ikke åbent for tilmelding til dette møde."),
        ("cancelled", "Mødet er aflyst."),
        ("started", "Mødet er allerede startet."),
    ],
)
def test_a_meeting_not_open_for_sign_up(tree, make_meeting, booker, staff, state, message):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], publish=state != "draft")
    if state == "cancelled":
        services.meeting_cancel(meeting=meeting, reason="Sygdom", by=None)
    elif state == "started":
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=timezone.now() - dt.timedelta(minutes=1)
        )
    meeting.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.seats_book(meeting=meeting, people=staff[:1], by=booker)
    assert error.value.messages == [message]
    nothing_written(meeting)


# --- Who may book ---------------------------------------------------------------------------------


@pytest.fixture
def who(tree, make_staff, make_employee):
    return {
        "anonymous": lambda: AnonymousUser(),
        "employee": lambda: make_employee(tree["HJ-GYM"]).user,
        "department_contact": lambda: make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
        "steering_group": lambda: make_staff(Role.STEERING_GROUP, tree["HJ"]),
        "other_institution_coordinator": lambda: make_staff(
            Role.INSTITUTION_COORDINATOR, tree["FR-GYM"]
        ),
        "other_coordinator": lambda: make_staff(Role.COORDINATOR, tree["FR"]),
        "institution_coordinator": lambda: make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]),
        "coordinator": lambda: make_staff(Role.COORDINATOR, tree["HJ"]),
    }


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("anonymous", False),
        ("employee", False),
        ("department_contact", False),
        ("steering_group", False),
        ("other_institution_coordinator", False),
        ("other_coordinator", False),
        ("institution_coordinator", True),
        ("coordinator", True),
    ],
)
def test_access(gym_meeting, staff, who, role, allowed):
    user = who[role]()
    assert meeting_access.may_book_seats(user, gym_meeting) is allowed
    assert meeting_access.may_book_person(user, meeting=gym_meeting, person=staff[0]) is allowed
    if not allowed:
        with pytest.raises(ValidationError) as error:
            services.seats_book(meeting=gym_meeting, people=staff[:1], by=user)
        assert error.value.code == "permission_denied"
        nothing_written(gym_meeting)
        with pytest.raises(ValidationError):
            services.person_create_and_book(
                meeting=gym_meeting,
                name="Ny Kollega",
                email="ny@example.dk",
                job_category=staff[0].job_category,
                org_unit=staff[0].org_unit,
                by=user,
            )
        assert not Person.objects.filter(email="ny@example.dk").exists()
    else:
        result = services.seats_book(meeting=gym_meeting, people=staff[:1], by=user)
        assert len(result.confirmed) == 1


def test_an_institution_coordinator_books_only_where_their_staff_are_the_audience(
    tree, make_meeting, booker, staff
):
    school_meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    assert not meeting_access.may_book_seats(booker, school_meeting)
    whole_municipality = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    assert meeting_access.may_book_seats(booker, whole_municipality)
    assert set(meeting_access.bookable_people(booker, whole_municipality)) == set(staff)


def test_bookable_people_is_one_query(gym_meeting, booker, staff, teachers, assert_queries):
    gym_meeting.job_categories.set([teachers, *{p.job_category for p in staff}])
    # The warm-up loads the user's role assignments, once per request.
    people = assert_queries(1, lambda: list(meeting_access.bookable_people(booker, gym_meeting)))
    assert len(people) == 5


def test_the_booker_may_also_use_the_plain_sign_up(
    gym_meeting, booker, staff, person_factory, tree
):
    registration = services.registration_create(meeting=gym_meeting, person=staff[0], by=booker)
    assert registration.created_by == booker
    with pytest.raises(ValidationError) as error:
        services.registration_create(
            meeting=gym_meeting, person=person_factory(org_unit=tree["FR-GYM"]), by=booker
        )
    assert error.value.code == "permission_denied"


# --- Cancelling a colleague's seat ----------------------------------------------------------------


def test_the_booker_cancels_a_seat_and_the_waiting_list_moves_up(
    tree, make_meeting, booker, staff, on_commit
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=1)
    result = services.seats_book(meeting=meeting, people=staff[:2], by=booker)
    seat = result.confirmed[0].registration
    with on_commit():
        services.registration_cancel(registration=seat, by=booker)
    assert Registration.objects.get(pk=seat.pk).status == R.CANCELLED
    promoted = Registration.objects.get(meeting=meeting, person=staff[1])
    assert promoted.status == R.CONFIRMED
    assert ModelLogEntry.objects.get(action="lms.registration.cancel").user == booker
    assert {m.to[0] for m in mail.outbox} == {staff[0].email, staff[1].email}


def test_the_booker_cancels_for_a_colleague_who_has_left(gym_meeting, booker, staff):
    [booking] = services.seats_book(meeting=gym_meeting, people=staff[:1], by=booker).bookings
    person_mark_left(person=staff[0], left_on=timezone.localdate(), by=None)
    registration = Registration.objects.get(pk=booking.registration.pk)
    services.registration_cancel(registration=registration, by=booker)
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_after_the_cut_off_only_the_organisers_cancel(gym_meeting, booker, staff, make_staff, tree):
    [booking] = services.seats_book(meeting=gym_meeting, people=staff[:1], by=booker).bookings
    Meeting.objects.filter(pk=gym_meeting.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=2),
        ends_at=timezone.now() + dt.timedelta(hours=4),
    )
    registration = Registration.objects.select_related("meeting").get(pk=booking.registration.pk)
    assert not meeting_access.may_cancel_registration(booker, registration)
    with pytest.raises(ValidationError) as error:
        services.registration_cancel(registration=registration, by=booker)
    assert error.value.code == "cutoff_passed"
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    services.registration_cancel(registration=registration, by=coordinator)


def test_another_institution_cannot_cancel(gym_meeting, booker, staff, make_staff, tree):
    [booking] = services.seats_book(meeting=gym_meeting, people=staff[:1], by=booker).bookings
    for outsider in (
        make_staff(Role.INSTITUTION_COORDINATOR, tree["FR-GYM"]),
        make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
    ):
        with pytest.raises(ValidationError) as error:
            services.registration_cancel(registration=booking.registration, by=outsider)
        assert error.value.code == "permission_denied"
    assert Registration.objects.get(pk=booking.registration.pk).status == R.CONFIRMED


# --- A new colleague ------------------------------------------------------------------------------


def new_colleague(meeting, by, **fields):
    fields.setdefault("name", "Nina Ny")
    fields.setdefault("email", "nina.ny@example.dk")
    fields.setdefault("job_category", JobCategoryFactory(code="PAED", name="Pædagog"))
    return services.person_create_and_book(meeting=meeting, by=by, **fields)


def test_a_new_colleague_is_created_under_the_institution_and_booked(
    gym_meeting, booker, tree, on_commit
):
    with on_commit():
        result = new_colleague(gym_meeting, booker, email=" Nina.Ny@Example.dk ")
    [booking] = result.confirmed
    person = booking.person
    assert person.org_unit == tree["HJ-GYM"]  # the booker's only unit: no need to choose it
    assert person.email == "nina.ny@example.dk"
    assert person.active and person.user is None
    assert booking.registration.created_by == booker
    assert ModelLogEntry.objects.get(action="lms.person.create").user == booker
    assert ModelLogEntry.objects.get(action="lms.booking.create").data["person_ids"] == [person.pk]
    [message] = mail.outbox
    assert message.to == ["nina.ny@example.dk"]
    assert len(calendar_parts(message)) == 1


def test_a_new_colleague_goes_on_the_waiting_list_of_a_full_meeting(
    tree, make_meeting, booker, staff
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=1)
    services.seats_book(meeting=meeting, people=staff[:1], by=booker)
    result = new_colleague(meeting, booker)
    assert [b.person.name for b in result.waiting] == ["Nina Ny"]


def new_colleague_refused(meeting, booker, **fields) -> dict:
    people_before = Person.objects.count()
    with pytest.raises(ValidationError) as error:
        new_colleague(meeting, booker, **fields)
    assert Person.objects.count() == people_before
    assert not ModelLogEntry.objects.filter(action="lms.person.create").exists()
    nothing_written(meeting)
    return error.value.message_dict


def test_a_new_colleague_with_an_email_already_in_the_roster(
    gym_meeting, booker, staff, tree, person_factory
):
    errors = new_colleague_refused(gym_meeting, booker, email=staff[0].email.upper())
    assert errors == {
        "email": [
            "Kollega 0 har allerede denne e-mailadresse i medarbejderlisten: tilmeld vedkommende "
            "fra listen over dine kolleger i stedet."
        ]
    }
    # Someone outside the booker's area is not named.
    stranger = person_factory(org_unit=tree["FR-SKOLE"], name="Fremmed Frida")
    errors = new_colleague_refused(gym_meeting, booker, email=stranger.email)
    assert errors == {"email": ["Der findes allerede en person med denne e-mailadresse."]}


def test_a_new_colleague_without_a_name_or_with_a_bad_email(gym_meeting, booker):
    errors = new_colleague_refused(gym_meeting, booker, name="  ", email="ikke-en-adresse")
    assert errors == {
        "name": ["Skriv kollegaens navn."],
        "email": ["Indtast en gyldig e-mail-adresse."],
    }
    errors = new_colleague_refused(gym_meeting, booker, email="", job_category=None)
    assert errors == {
        "email": ["Skriv kollegaens e-mailadresse."],
        "job_category": ["Vælg kollegaens jobkategori."],
    }


def test_a_new_colleague_outside_the_bookers_units(gym_meeting, booker, tree):
    for unit in (tree["HJ-SKOLE"], tree["FR-GYM"]):
        errors = new_colleague_refused(gym_meeting, booker, org_unit=unit)
        assert errors == {
            "org_unit": ["Vælg en af dine egne enheder, hvis medarbejdere mødet er for."]
        }


def test_a_new_colleague_of_another_job_category(tree, make_meeting, booker, teachers):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], job_categories=[teachers])
    errors = new_colleague_refused(meeting, booker)
    assert errors == {"job_category": ["Dette møde er for andre jobkategorier: Lærer."]}
    assert new_colleague(meeting, booker, job_category=teachers).confirmed


def test_a_coordinator_chooses_the_unit_of_a_new_colleague(tree, make_meeting, make_staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    assert set(meeting_access.new_colleague_units(coordinator, meeting)) == {
        tree["HJ-BFU"],
        tree["HJ-SKOLE"],
    }
    errors = new_colleague_refused(meeting, coordinator)
    assert errors == {"org_unit": ["Vælg, hvor kollegaen arbejder."]}
    result = new_colleague(meeting, coordinator, org_unit=tree["HJ-SKOLE"])
    assert result.confirmed[0].person.org_unit == tree["HJ-SKOLE"]


def test_a_new_colleague_is_not_created_when_the_seat_cannot_be_booked(
    gym_meeting, booker, monkeypatch
):
    from attendance.services import bookings

    def refuse(**kwargs):
        raise ValidationError("Nej.")

    monkeypatch.setattr(bookings, "registration_create", refuse)
    with pytest.raises(ValidationError):
        new_colleague(gym_meeting, booker)
    assert not Person.objects.filter(email="nina.ny@example.dk").exists()
    assert not ModelLogEntry.objects.filter(action="lms.person.create").exists()


# --- Under concurrency ----------------------------------------------------------------------------


def setup_institution_meeting(*, capacity: int, people: int):
    """An institution of its own (not the `tree` fixture: these tests commit), its coordinator,
    and `people` colleagues with accounts of their own, so that they can also sign up themselves.
    """
    from lms.people.models import OrgUnit
    from tests.factories import PersonFactory, RoleAssignmentFactory, UserFactory, org_unit

    root = org_unit(code="B", name="Booking Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    gym = org_unit(code="B-GYM", name="Gymnasium", kind=OrgUnit.Kind.INSTITUTION, parent=root)
    start = timezone.now() + dt.timedelta(days=7)
    meeting = services.meeting_publish(
        meeting=services.meeting_create(
            kind=Meeting.Kind.INFORMATION,
            title="Race",
            org_unit=root,
            institution=gym,
            venue="Gymnasiets festsal",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=capacity,
            by=None,
        ),
        by=None,
    )
    booker = UserFactory(email="booker@example.dk")
    RoleAssignmentFactory(user=booker, role=Role.INSTITUTION_COORDINATOR, org_unit=gym)
    colleagues = []
    for n in range(people):
        user = UserFactory(email=f"kollega{n}@example.dk")
        colleagues.append(
            PersonFactory(org_unit=gym, user=user, email=user.email, employee_number=f"B{n}")
        )
    return meeting, booker, colleagues


def race_bookings_and_sign_ups(meeting, booker, colleagues, *, setup=None):
    """Three bookings of six colleagues each, while twelve colleagues sign up themselves (six of
    them also in the last booking), all at once."""
    from tests.attendance.test_concurrency import run_threads

    batches = [colleagues[0:6], colleagues[6:12], colleagues[12:18]]
    jobs = [("book", batch) for batch in batches] + [("self", p) for p in colleagues[12:24]]

    def act(job):
        kind, item = job
        fresh = Meeting.objects.get(pk=meeting.pk)
        if kind == "book":
            return services.seats_book(
                meeting=fresh, people=item, by=User.objects.get(pk=booker.pk)
            )
        return services.registration_create(meeting=fresh, person=item, by=item.user)

    return run_threads(act, jobs, setup=setup)


def assert_race_outcome(meeting, colleagues, results):
    meeting.refresh_from_db()
    live = Registration.objects.filter(meeting=meeting, status__in=Registration.LIVE)
    confirmed = live.filter(status=R.CONFIRMED).count()
    assert confirmed == meeting.capacity == meeting.confirmed_count  # never overbooked
    # Everyone holds exactly one live registration, whoever made it first.
    assert sorted(live.values_list("person_id", flat=True)) == sorted(p.pk for p in colleagues)
    assert live.filter(status=R.WAITING).count() == len(colleagues) - meeting.capacity
    bookings = [b for r in results if isinstance(r, services.BookingResult) for b in r.bookings]
    assert len(bookings) == 18
    booked_new = [b for b in bookings if not b.already_registered]
    assert live.exclude(created_by__isnull=True).filter(
        pk__in=[b.registration.pk for b in booked_new]
    ).count() == len(booked_new)
    # The colleagues in both a booking and a sign-up of their own got one row between them.
    overlap = {p.pk for p in colleagues[12:18]}
    assert live.filter(person_id__in=overlap).count() == 6


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_bookings_racing_sign_ups_never_overbook():
    meeting, booker, colleagues = setup_institution_meeting(capacity=10, people=24)
    results, errors = race_bookings_and_sign_ups(meeting, booker, colleagues)
    assert errors == []
    assert_race_outcome(meeting, colleagues, results)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own test")
@pytest.mark.django_db(transaction=True)
def test_bookings_racing_sign_ups_on_sqlite(tmp_path):
    """SQLite's IMMEDIATE transactions serialise the bookings and sign-ups (a file database, as
    the platform runs it; see test_concurrency)."""
    from tests.attendance.test_concurrency import (
        in_file_database,
        sqlite_file_copy,
        use_file_database,
    )

    meeting, booker, colleagues = setup_institution_meeting(capacity=10, people=24)
    settings = sqlite_file_copy(tmp_path, transaction_mode="IMMEDIATE")
    results, errors = race_bookings_and_sign_ups(
        meeting, booker, colleagues, setup=use_file_database(settings)
    )
    assert errors == []
    in_file_database(settings, lambda: assert_race_outcome(meeting, colleagues, results))
