"""A sign-up, counted: on PostgreSQL one autocommit statement locks the meeting, claims the seat
(confirmed_count < capacity), inserts the registration, moves the counter and writes the audit
entry, so the meeting row is locked only while PostgreSQL runs that statement and commits it;
before it, one query asks whether the person is in the meeting's audience. Nothing counts the
meeting's registrations. SQLite keeps a plain ORM path under its IMMEDIATE transaction; its
outcomes are tested here too.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from attendance import services
from attendance.models import Meeting, Registration
from attendance.notifications import meetings as notifications
from lms import audit
from lms.people.models import OrgUnit
from tests.attendance.test_concurrency import (
    assert_consistent,
    postgres_only,
    run_threads,
    setup_meeting,
    sign_up,
)
from tests.factories import PersonFactory, UserFactory, org_unit
from tests.queries import caches_warm

R = Registration.Status


def captured_statements(fn):
    """(result, every statement the call sends). The mails, which run after commit (Celery is
    eager in the tests), are left out."""
    with notifications.silenced(), CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, [q["sql"] for q in captured.captured_queries]


def _entry_fields(entry):
    return (
        entry.content_type_id,
        entry.object_id,
        entry.label,
        entry.action,
        entry.data,
        entry.user_id,
        entry.uuid is None,
        entry.revision_id,
        entry.content_changed,
        entry.deleted,
    )


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("full", [False, True], ids=["confirmed", "waiting"])
def test_one_autocommit_statement_holds_the_lock_on_postgresql(full):
    meeting, persons = setup_meeting(capacity=1, people=3)
    if full:
        sign_up(persons[2], meeting=meeting)
    meeting = Meeting.objects.get(pk=meeting.pk)
    person = persons[0]
    caches_warm()  # as in a running process: the content types are cached
    registration, statements = captured_statements(
        lambda: services.registration_create(meeting=meeting, person=person, by=person.user)
    )
    assert registration.status == (R.WAITING if full else R.CONFIRMED)
    # One statement, which asks the audience before it locks; no BEGIN, no COMMIT round trip.
    assert len(statements) == 1, statements
    (locked,) = statements
    assert "FOR UPDATE" in locked and "attendance_meeting_audience_units" in locked
    for part in ("INSERT INTO attendance_registration", "wagtailcore_modellogentry"):
        assert part in locked
    assert not any(s.strip().upper() in ("BEGIN", "COMMIT") for s in statements)
    assert not any("COUNT(" in s.upper() for s in statements)
    assert_consistent(meeting)
    stored = Registration.objects.get(pk=registration.pk)
    assert (stored.status, stored.created_at, stored.booking_code) == (
        registration.status,
        registration.created_at,
        registration.booking_code,
    )
    # The audit entry is the row lms.audit.log writes for the same registration.
    entry = ModelLogEntry.objects.get(action="lms.registration.create", object_id=registration.pk)
    assert entry.user_id == person.user.pk
    assert entry.label == f"registration #{registration.pk}"
    assert entry.data == {
        "meeting_id": meeting.pk,
        "person_id": person.pk,
        "status": registration.status,
    }
    audit.log(
        stored,
        "lms.registration.create",
        by=person.user,
        data={"meeting_id": meeting.pk, "person_id": person.pk, "status": stored.status},
    )
    written, by_log = ModelLogEntry.objects.filter(
        action="lms.registration.create", object_id=registration.pk
    ).order_by("pk")
    assert written.pk == entry.pk
    assert _entry_fields(written) == _entry_fields(by_log)
    assert entry.timestamp <= by_log.timestamp


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_registration_no_audit_entry_and_no_mail():
    """The audit entry is written iff the registration is: not for a second sign-up, not for a
    closed meeting; and the mail only after commit (never for a rolled-back sign-up)."""
    meeting, persons = setup_meeting(capacity=1, people=2)
    first = sign_up(persons[0], meeting=meeting)
    again, statements = captured_statements(lambda: sign_up(persons[0], meeting=meeting))
    assert again.pk == first.pk
    # The meeting read of sign_up, the statement (the audience asked in it), the live
    # registration.
    assert len(statements) == 3, statements
    assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 1
    sent = []
    original = notifications.enqueue
    notifications.enqueue = lambda task, *args: sent.append((task.name, args))
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            rolled_back = sign_up(persons[1], meeting=meeting)
            assert rolled_back.status == R.WAITING
            assert sent == []  # not yet: the transaction has not committed
            raise RuntimeError("roll back")
        assert sent == []
        assert not Registration.objects.filter(person=persons[1]).exists()
        assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 1
        later = sign_up(persons[1], meeting=meeting)
        assert sent == [("attendance.send_waitlisted", (later.pk,))]
    finally:
        notifications.enqueue = original
    assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 2
    services.meeting_cancel(meeting=meeting, reason="Sygdom", by=None)
    with pytest.raises(ValidationError):
        sign_up(persons[1], meeting=meeting)
    assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 2
    assert_consistent(meeting)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_signing_up_twice_at_once_gives_one_registration():
    meeting, persons = setup_meeting(capacity=5, people=1)
    person = persons[0]
    results, errors = run_threads(lambda _: sign_up(person, meeting=meeting), range(8))
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert Registration.objects.filter(meeting=meeting, person=person).count() == 1
    assert assert_consistent(meeting) == 1
    assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 1


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_waiting_list_is_in_the_order_the_lock_was_granted():
    """created_at is taken under the lock, so (created_at, pk), the order seats are given from
    the waiting list in, is the order of the inserts (pk) even when 30 clients race."""
    meeting, persons = setup_meeting(capacity=5, people=30)
    results, errors = run_threads(lambda p: sign_up(p, meeting=meeting), persons)
    assert errors == []
    assert Counter(r.status for r in results) == {R.CONFIRMED: 5, R.WAITING: 25}
    rows = Registration.objects.filter(meeting=meeting)
    by_time = list(rows.order_by("created_at", "pk").values_list("pk", flat=True))
    assert by_time == sorted(by_time)
    confirmed = set(rows.filter(status=R.CONFIRMED).values_list("pk", flat=True))
    assert confirmed == set(by_time[:5])
    assert assert_consistent(meeting) == 5


@pytest.mark.django_db(transaction=True)
def test_sign_up_outcomes_on_either_database():
    """The path of the database in use (SQLite by default, PostgreSQL with DATABASE_URL)."""
    meeting, persons = setup_meeting(capacity=2, people=4)
    first = sign_up(persons[0], meeting=meeting)
    again = sign_up(persons[0], meeting=meeting)
    assert again.pk == first.pk
    statuses = [sign_up(p, meeting=meeting).status for p in persons[1:]]
    assert [first.status, *statuses] == [R.CONFIRMED, R.CONFIRMED, R.WAITING, R.WAITING]
    assert assert_consistent(meeting) == 2
    waiting = list(
        Registration.objects.filter(meeting=meeting, status=R.WAITING)
        .order_by("created_at", "pk")
        .values_list("person_id", flat=True)
    )
    assert waiting == [persons[2].pk, persons[3].pk]
    assert ModelLogEntry.objects.filter(action="lms.registration.create").count() == 4
    # A cancelled person signs up again at the end of the waiting list.
    services.registration_cancel(registration=first, by=None)
    assert Registration.objects.get(pk=first.pk).status == R.CANCELLED
    back = sign_up(persons[0], meeting=meeting)
    assert back.pk != first.pk and back.status == R.WAITING
    assert assert_consistent(meeting) == 2


@pytest.mark.django_db(transaction=True)
def test_no_sign_up_for_a_meeting_cancelled_meanwhile():
    meeting, persons = setup_meeting(capacity=2, people=1)
    stale = Meeting.objects.get(pk=meeting.pk)
    services.meeting_cancel(meeting=meeting, reason="Sygdom", by=None)
    with pytest.raises(ValidationError) as raised:
        services.registration_create(meeting=stale, person=persons[0], by=None)
    assert getattr(raised.value, "code", None) == "cancelled"
    assert not Registration.objects.filter(meeting=meeting).exists()
    assert assert_consistent(meeting) == 0


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_the_audience_refused_by_the_statement_without_waiting_for_the_lock():
    """Signing oneself up, the statement asks the audience before it locks: someone outside the
    audience is refused while another transaction holds the meeting's lock, and nothing is
    written."""
    meeting, persons = setup_meeting(capacity=1, people=1)
    elsewhere = org_unit(code="ANDEN", name="Anden Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    user = UserFactory(email="outside@example.dk")
    outsider = PersonFactory(org_unit=elsewhere, user=user, email=user.email)
    holding, done = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                Meeting.objects.select_for_update().get(pk=meeting.pk)
                holding.set()
                done.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        with pytest.raises(ValidationError) as refused:
            _, statements = captured_statements(lambda: sign_up(outsider, meeting=meeting))
        assert refused.value.code == "not_in_audience"
    finally:
        done.set()
        holder.join(30)
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    assert not Registration.objects.filter(person=outsider).exists()
    assert not ModelLogEntry.objects.filter(action="lms.registration.create").exists()
    sign_up(persons[0], meeting=meeting)
    assert assert_consistent(meeting) == 1
