"""Benchmark: sign-ups per second with concurrent clients, against plain inserts.

Run it on demand (it is excluded from the normal test run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \
        .venv/bin/python -m tests.benchmarks.bench_signup                # PostgreSQL
    .venv/bin/python -m tests.benchmarks.bench_signup                    # SQLite, a file DB

Options: --clients N (default 20), --signups N (default 2000), --capacity N (default half of the
sign-ups, so that both confirmations and the waiting list are exercised).

Every client is a process with its own database connection. It times:
  - baseline: the same number of plain Registration inserts (autocommit, no lock, no checks, no
    audit log), from the same number of clients;
  - registration_create: the real service (policy check, audience check, meeting row lock,
    re-check, insert, confirmed_count update, audit log) for one meeting, so that every client
    queues on the same row lock: the worst case.
and prints sign-ups per second for each and the ratio to the baseline. Timings are printed, never
asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time

CLIENTS = 20
SIGNUPS = 2000


def setup(signups: int, capacity: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from attendance import services
    from attendance.models import Meeting
    from lms.people.models import OrgUnit, Person, User

    root = OrgUnit.add_root(code="BENCH", name="Bench Kommune", kind="municipality")
    unit = OrgUnit.objects.get(pk=root.pk).add_child(
        code="BENCH-1", name="Bench skole", kind="workplace"
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.dk", password=password) for n in range(signups)
    )
    if users[0].pk is None:  # backends that do not return ids from bulk_create
        users = list(User.objects.filter(email__startswith="bench").order_by("pk"))
    Person.objects.bulk_create(
        Person(name=f"Bench {n}", email=u.email, org_unit=unit, user=u) for n, u in enumerate(users)
    )
    people = list(Person.objects.filter(org_unit=unit).select_related("user").order_by("pk"))
    start = timezone.now() + dt.timedelta(days=7)

    def meeting(title: str):
        m = services.meeting_create(
            kind=Meeting.Kind.INFORMATION,
            title=title,
            org_unit=root,
            audience_units=[root],
            venue="Rådhuset",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=capacity,
            by=None,
        )
        return services.meeting_publish(meeting=m, by=None)

    return people, meeting("baseline"), meeting("service")


def in_clients(clients: int, people, work) -> float:
    """Split `people` over `clients` processes, run work(person) for each; seconds taken.

    Processes, not threads: web workers are processes, and threads would measure Python's
    global interpreter lock (the ORM's CPU time) rather than the database's row lock.
    """
    import multiprocessing

    from django.db import connections

    fork = multiprocessing.get_context("fork")
    connections.close_all()  # each child opens its own connection
    chunks = [people[i::clients] for i in range(clients)]
    barrier = fork.Barrier(clients + 1)
    errors = fork.Queue()

    def client(chunk):
        try:
            barrier.wait()
            for person in chunk:
                work(person)
        except BaseException as error:
            errors.put(repr(error))
        finally:
            connections.close_all()

    processes = [fork.Process(target=client, args=(chunk,)) for chunk in chunks]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    if not errors.empty():
        raise RuntimeError(errors.get())
    return seconds


def report(label: str, count: int, seconds: float, baseline: float | None = None) -> float:
    rate = count / seconds
    ratio = f"  ({rate / baseline:.2f} x baseline)" if baseline else ""
    print(f"{label:<46} {seconds:8.2f} s {rate:10,.0f} sign-ups/s{ratio}")  # noqa: T201
    return rate


def run(clients: int = CLIENTS, signups: int = SIGNUPS, capacity: int | None = None) -> None:
    from django.db import connection
    from django.utils import timezone

    from attendance import services
    from attendance.models import Registration

    capacity = capacity or max(signups // 2, 1)
    people, baseline_meeting, meeting = setup(signups, capacity)
    print(  # noqa: T201
        f"{signups:,} sign-ups from {clients} clients on {connection.vendor}, {capacity:,} seats"
    )

    def plain_insert(person):
        Registration.objects.create(
            meeting=baseline_meeting,
            person=person,
            status=Registration.Status.WAITING,
            created_at=timezone.now(),
        )

    base = report(
        "baseline: plain Registration inserts", signups, in_clients(clients, people, plain_insert)
    )

    def sign_up(person):
        services.registration_create(meeting=meeting, person=person, by=person.user)

    seconds = in_clients(clients, people, sign_up)
    report("registration_create (locked, one meeting)", signups, seconds, base)
    meeting.refresh_from_db()
    confirmed = Registration.objects.filter(meeting=meeting, status="confirmed").count()
    waiting = Registration.objects.filter(meeting=meeting, status="waiting").count()
    assert (confirmed, waiting) == (capacity, signups - capacity), (confirmed, waiting)
    assert meeting.confirmed_count == confirmed
    print(f"check: {confirmed:,} confirmed, {waiting:,} waiting, never over capacity")  # noqa: T201


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark concurrent meeting sign-ups.")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--signups", type=int, default=SIGNUPS)
    parser.add_argument("--capacity", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor == "sqlite":
        # Threads need a file: the in-memory test database fails a second writer at once.
        folder = tempfile.mkdtemp(prefix="lms-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(folder, "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.clients, args.signups, args.capacity)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main(sys.argv[1:])
