"""Seats under concurrency, with real threads and one database connection per thread.

Following pretix: first show that the race happens without the lock (the unlocked variant
overbooks, and only the database's check constraint confirmed_count <= capacity stops it), then
that the service's lock prevents it. PostgreSQL tests skip on SQLite; SQLite has its own test
below, against a file database, of the IMMEDIATE transactions that serialise its writers.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, Registration
from lms.people.models import OrgUnit
from tests.factories import PersonFactory, UserFactory, org_unit

R = Registration.Status

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own test")


def setup_meeting(capacity: int, people: int):
    root = org_unit(code="C", name="Concurrency Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    unit = org_unit(code="C-SKOLE", name="Skole", parent=root)
    start = timezone.now() + dt.timedelta(days=7)
    meeting = services.meeting_create(
        kind=Meeting.Kind.INFORMATION,
        title="Race",
        org_unit=root,
        audience_units=[root],
        venue="Rådhuset",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=capacity,
        by=None,
    )
    meeting = services.meeting_publish(meeting=meeting, by=None)
    persons = []
    for n in range(people):
        user = UserFactory(email=f"race{n}@example.dk")
        persons.append(
            PersonFactory(org_unit=unit, user=user, email=user.email, employee_number=f"R{n}")
        )
    return meeting, persons


def run_threads(target, items, *, setup=None):
    """Run target(item) in one thread per item, started together; return (results, errors)."""
    barrier = threading.Barrier(len(items))
    results, errors = [], []
    lock = threading.Lock()

    def worker(item):
        try:
            if setup is not None:
                setup()
            barrier.wait()
            result = target(item)
            with lock:
                results.append(result)
        except Exception as error:  # every failure is part of what the test looks at
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@transaction.atomic
def registration_create_unlocked(*, meeting, person, by):
    """registration_create as it would be without the lock and the re-check inside it: counts
    the seats, then writes. Only here, to show that concurrent sign-ups then overbook and only the
    check constraint stops them."""
    confirmed = meeting.registrations.filter(status=R.CONFIRMED).count()
    status = R.CONFIRMED if confirmed < meeting.capacity else R.WAITING
    registration = Registration.objects.create(
        meeting=meeting, person=person, status=status, created_at=timezone.now(), created_by=by
    )
    if status == R.CONFIRMED:
        Meeting.objects.filter(pk=meeting.pk).update(confirmed_count=F("confirmed_count") + 1)
    return registration


def sign_up(person, *, meeting, locked=True):
    service = services.registration_create if locked else registration_create_unlocked
    return service(meeting=Meeting.objects.get(pk=meeting.pk), person=person, by=person.user)


def assert_consistent(meeting):
    meeting.refresh_from_db()
    confirmed = Registration.objects.filter(meeting=meeting, status=R.CONFIRMED).count()
    assert confirmed <= meeting.capacity
    assert meeting.confirmed_count == confirmed
    return confirmed


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_the_race_overbooks_and_the_constraint_stops_it():
    meeting, persons = setup_meeting(capacity=10, people=50)
    _results, errors = run_threads(lambda p: sign_up(p, meeting=meeting, locked=False), persons)
    # The unlocked variant counts seats before others commit: more than 10 believe they got a
    # seat, and the check constraint on confirmed_count refuses the extra ones.
    assert any(isinstance(e, IntegrityError) for e in errors), errors
    assert "meeting_never_overbooked" in str(
        next(e for e in errors if isinstance(e, IntegrityError))
    )
    assert assert_consistent(meeting) <= 10


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_50_concurrent_sign_ups_for_10_seats():
    meeting, persons = setup_meeting(capacity=10, people=50)
    results, errors = run_threads(lambda p: sign_up(p, meeting=meeting), persons)
    assert errors == []
    assert Counter(r.status for r in results) == {R.CONFIRMED: 10, R.WAITING: 40}
    assert assert_consistent(meeting) == 10
    assert Registration.objects.filter(meeting=meeting, status=R.WAITING).count() == 40


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_cancellations_racing_promotions_and_sign_ups():
    meeting, persons = setup_meeting(capacity=10, people=40)
    for person in persons[:30]:  # 10 confirmed, 20 waiting, in this order
        sign_up(person, meeting=meeting)
    waiting_order = list(
        Registration.objects.filter(meeting=meeting, status=R.WAITING)
        .order_by("created_at", "pk")
        .values_list("person_id", flat=True)
    )
    confirmed = list(Registration.objects.filter(meeting=meeting, status=R.CONFIRMED))
    # 8 confirmed people cancel while 10 newcomers sign up, all at once.
    jobs = [("cancel", r) for r in confirmed[:8]] + [("sign_up", p) for p in persons[30:]]

    def act(job):
        kind, item = job
        if kind == "cancel":
            registration = Registration.objects.get(pk=item.pk)
            return services.registration_cancel(registration=registration, by=item.person.user)
        return sign_up(item, meeting=meeting)

    _results, errors = run_threads(act, jobs)
    assert errors == []
    assert assert_consistent(meeting) == 10
    # The 8 freed seats went to the first 8 of the waiting list, in order, not to newcomers.
    promoted = set(
        Registration.objects.filter(meeting=meeting, promoted_at__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    assert promoted == set(waiting_order[:8])
    still_waiting = list(
        Registration.objects.filter(meeting=meeting, status=R.WAITING)
        .order_by("created_at", "pk")
        .values_list("person_id", flat=True)
    )
    assert still_waiting[:12] == waiting_order[8:]
    assert set(still_waiting[12:]) == {p.pk for p in persons[30:]}


# --- SQLite --------------------------------------------------------------------------------------


def sqlite_file_copy(tmp_path, *, transaction_mode: str):
    """The test database (schema and rows) copied to a file, and settings to open it with.

    The test run's SQLite database lives in shared-cache memory, where a second writer fails at
    once instead of waiting; the platform runs SQLite from a file, so that is what is tested.
    """
    path = tmp_path / "race.sqlite3"
    import sqlite3

    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings = copy.deepcopy(connection.settings_dict)
    settings["NAME"] = str(path)
    settings["TEST"] = {**settings.get("TEST", {}), "NAME": str(path)}
    settings["OPTIONS"] = {"transaction_mode": transaction_mode, "timeout": 20}
    return settings


def use_file_database(settings):
    """In this thread only, make the default connection the file database."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    def setup():
        connections["default"] = DatabaseWrapper(copy.deepcopy(settings), "default")

    return setup


def in_file_database(settings, fn):
    """fn() in a thread of its own on the file database (the main thread keeps the test's)."""
    results, errors = run_threads(lambda _: fn(), [None], setup=use_file_database(settings))
    if errors:
        raise errors[0]
    return results[0]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_immediate_transactions_serialise_sign_ups(tmp_path):
    meeting, persons = setup_meeting(capacity=5, people=20)
    settings = sqlite_file_copy(tmp_path, transaction_mode="IMMEDIATE")
    results, errors = run_threads(
        lambda p: sign_up(p, meeting=meeting), persons, setup=use_file_database(settings)
    )
    assert errors == []
    assert Counter(r.status for r in results) == {R.CONFIRMED: 5, R.WAITING: 15}
    assert in_file_database(settings, lambda: assert_consistent(meeting)) == 5


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_deferred_transactions_fail_where_immediate_ones_wait(tmp_path):
    """Why the platform sets transaction_mode=IMMEDIATE: with SQLite's default (DEFERRED), a
    transaction that read first and then writes cannot wait for the write lock (that could
    deadlock), so concurrent sign-ups fail with "database is locked" instead of queueing."""
    meeting, persons = setup_meeting(capacity=5, people=20)
    settings = sqlite_file_copy(tmp_path, transaction_mode="DEFERRED")
    _results, errors = run_threads(
        lambda p: sign_up(p, meeting=meeting), persons, setup=use_file_database(settings)
    )
    assert errors, "expected some sign-ups to fail without IMMEDIATE transactions"
    assert all(isinstance(e, OperationalError) and "locked" in str(e) for e in errors), errors
    assert in_file_database(settings, lambda: assert_consistent(meeting)) <= 5


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_one_meeting_only():
    """Signing up for meeting B does not wait for a transaction that holds meeting A (same
    organising unit): the lock covers the meeting row, not the joined organising unit."""

    meeting_a, persons = setup_meeting(capacity=5, people=2)
    meeting_b = services.meeting_publish(
        meeting=services.meeting_create(
            kind=Meeting.Kind.DIALOGUE,
            title="B",
            org_unit=meeting_a.org_unit,
            audience_units=[meeting_a.org_unit],
            venue="Biblioteket",
            starts_at=meeting_a.starts_at,
            ends_at=meeting_a.ends_at,
            capacity=5,
            by=None,
        ),
        by=None,
    )
    locked, release = threading.Event(), threading.Event()

    def hold_a(_):
        with transaction.atomic():
            # A sign-up to A, left uncommitted: the service's lock on A is held until release.
            sign_up(persons[1], meeting=meeting_a)
            locked.set()
            release.wait(timeout=30)

    holder = threading.Thread(target=lambda: run_threads(hold_a, [None]))
    holder.start()
    try:
        assert locked.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            registration = sign_up(persons[0], meeting=meeting_b)
        assert registration.status == R.CONFIRMED
    finally:
        release.set()
        holder.join(timeout=30)
