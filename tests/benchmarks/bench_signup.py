"""Benchmark: sign-ups per second with concurrent clients, against plain inserts.

Run it on demand (it is excluded from the normal test run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \
        .venv/bin/python -m tests.benchmarks.bench_signup                # PostgreSQL
    .venv/bin/python -m tests.benchmarks.bench_signup                    # SQLite, a file DB

Options: --clients N (default 20), --signups N (default 2000), --capacity N (default half of the
sign-ups, so that both confirmations and the waiting list are exercised), --mail
inline|worker|after|both|all (default both: inline and worker; all: the three), --no-before
(leave out the pre-issue-13 service).

Every client is a process with its own database connection. It times:
  - baseline: the same number of plain Registration inserts (autocommit, no lock, no checks, no
    audit log), from the same number of clients;
  - registration_create: the real service (policy check, audience check, meeting row lock,
    seat claim, insert, audit log) for one meeting, so that every client queues on the same row
    lock: the worst case;
  - before: the service as it was before issue 13 (lock, a count of the meeting's registrations,
    insert, counter update, a validated audit row: 8 round trips under the lock), kept only here
    (registration_create_before) so that both are measured in the same run;
each with the notification mails either rendered and sent in the client processes (inline: the
test settings run Celery tasks eagerly) or enqueued on commit and sent by a worker process
(worker), or enqueued and sent by that worker only once the clients have ended (after: a queue that
absorbs the burst, as Celery's does; the worker of `worker` shares the machine's cores with the
clients and the database during the measurement, which the baseline's inserts do not), and prints
sign-ups per second, the ratio to the baseline and after/before, and the
CPU the client processes used per sign-up (Python and the driver) and, on PostgreSQL, the CPU
their server processes used (from /proc, so the server must run on this machine); for the worker,
its CPU per mail.
With 20 clients on a few cores the CPU a sign-up costs, not the lock, bounds the rate. Timings are
printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import tempfile
import time

CLIENTS = 20
SIGNUPS = 2000
client_cpu = 0.0  # seconds of CPU the client processes of the last in_clients() used
server_cpu = None  # seconds of CPU their PostgreSQL backends used (None: not measured)


def backend_cpu() -> float | None:
    """Seconds of CPU this process's PostgreSQL backend has used so far, from /proc (the server
    on this machine; None on SQLite or when the server's processes cannot be read)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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

    return people, meeting


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
    servers = fork.Queue()

    def client(chunk):
        try:
            started = backend_cpu()  # connects before the start
            barrier.wait()
            for person in chunk:
                work(person)
            ended = backend_cpu()
            servers.put(None if started is None or ended is None else ended - started)
        except BaseException as error:
            errors.put(repr(error))
        finally:
            connections.close_all()

    processes = [fork.Process(target=client, args=(chunk,)) for chunk in chunks]
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    global client_cpu, server_cpu  # read by report(): the CPU the clients just used
    client_cpu = (used.ru_utime + used.ru_stime) - (cpu.ru_utime + cpu.ru_stime)
    if not errors.empty():
        raise RuntimeError(errors.get())
    backends = [servers.get() for _ in processes]
    server_cpu = None if None in backends else sum(backends)
    return seconds


def report(
    label: str, count: int, seconds: float, baseline: float | None = None, before=None
) -> float:
    rate = count / seconds
    ratio = f"  {rate / baseline:5.2f} x baseline" if baseline else ""
    if before:
        ratio += f"  {rate / before:5.2f} x before"
    cpu = f"  client CPU {1000 * client_cpu / count:5.2f} ms each"
    if server_cpu is not None:
        cpu += f", PostgreSQL {1000 * server_cpu / count:5.2f}"
    print(f"{label:<52} {seconds:8.2f} s {rate:8,.0f} /s{ratio}{cpu}")  # noqa: T201
    return rate


def registration_create_before(*, meeting, person, by):
    """registration_create as it was before issue 13, for comparison in the same run only: lock,
    count every live registration of the meeting, insert (after a booking-code lookup), move the
    counter, and the audit row through Wagtail's validated path (two foreign-key reads)."""
    from django.db import transaction
    from django.db.models import Count, F, Q
    from django.utils import timezone

    from attendance import access
    from attendance.models import Meeting, Registration
    from attendance.notifications import meetings as notifications
    from attendance.services.meetings import _booking_code_free, _lock, _sign_up_error
    from lms import audit

    R = Registration.Status
    with transaction.atomic():
        now = timezone.now()
        if _sign_up_error(meeting, now) is not None:
            raise RuntimeError("closed")
        if by is not None and not access.may_register_person(by, meeting=meeting, person=person):
            raise RuntimeError("denied")
        meeting = _lock(meeting)
        seen = meeting.registrations.filter(status__in=Registration.LIVE).aggregate(
            confirmed=Count("pk", filter=Q(status=R.CONFIRMED)),
            mine=Count("pk", filter=Q(person=person)),
        )
        if seen["mine"]:
            return None
        status = R.CONFIRMED if seen["confirmed"] < meeting.capacity else R.WAITING
        registration = Registration.objects.create(
            meeting=meeting,
            person=person,
            status=status,
            created_at=now,
            created_by=by,
            booking_code=_booking_code_free(meeting),
        )
        if status == R.CONFIRMED:
            Meeting.objects.filter(pk=meeting.pk).update(confirmed_count=F("confirmed_count") + 1)
        audit.log(
            registration,
            "lms.registration.create",
            by=by,
            data={"meeting_id": meeting.pk, "person_id": person.pk, "status": status},
        )
        notifications.after_commit(
            notifications.registration_confirmed
            if status == R.CONFIRMED
            else notifications.registration_waitlisted,
            registration_id=registration.pk,
        )
        return registration


class MailWorker:
    """Notifications enqueued on commit (attendance.notifications.enqueue, as in production) to a
    queue that one worker process drains by running the tasks, instead of Celery's eager mode
    rendering and sending every mail inside the client that signed up."""

    def __init__(self, *, after: bool = False):
        import multiprocessing

        self.after = after
        from attendance.notifications import meetings as notifications

        self.fork = multiprocessing.get_context("fork")
        self.queue = self.fork.Queue()
        self.notifications = notifications
        self.original = notifications.enqueue
        self.process = None

    def __enter__(self):
        from django.db import connections

        queue = self.queue

        def enqueue(task, *args):
            queue.put((task.name, args))

        connections.close_all()
        self.process = self.fork.Process(target=self._drain, args=(queue, self.after))
        self.process.start()
        self.notifications.enqueue = enqueue
        return self

    @staticmethod
    def _drain(queue, after):
        from celery import current_app
        from django.db import connections

        sent = 0
        server = backend_cpu()
        if after:  # hold every mail until the clients have ended, then send them
            backlog = []
            while (item := queue.get()) is not None:
                backlog.append(item)
            items = iter(backlog)
        else:
            items = iter(queue.get, None)
        for name, args in items:
            current_app.tasks[name].run(*args)
            sent += 1
        server = None if server is None else backend_cpu() - server
        connections.close_all()
        used = resource.getrusage(resource.RUSAGE_SELF)
        queue.put((sent, used.ru_utime + used.ru_stime, server))

    def finish(self) -> tuple[int, float]:
        """Wait for the worker to send what is queued: (mails, seconds it took after the
        clients ended); self.cpu: the CPU the worker used (its PostgreSQL backend's apart)."""
        started = time.perf_counter()
        self.queue.put(None)
        self.process.join()
        sent, self.cpu, self.server_cpu = self.queue.get()
        return sent, time.perf_counter() - started

    def __exit__(self, *exc):
        self.notifications.enqueue = self.original
        if self.process is not None and self.process.is_alive():
            self.process.kill()


def run(
    clients: int = CLIENTS,
    signups: int = SIGNUPS,
    capacity: int | None = None,
    mail="both",
    before: bool = True,
) -> None:
    from django.db import connection
    from django.utils import timezone

    from attendance import services
    from attendance.models import Registration

    capacity = capacity or max(signups // 2, 1)
    modes = ("inline", "worker", "after") if mail == "all" else (mail,)
    if mail == "both":
        modes = ("inline", "worker")
    people, new_meeting = setup(signups, capacity)
    print(  # noqa: T201
        f"{signups:,} sign-ups from {clients} clients on {connection.vendor}, {capacity:,} seats"
    )
    baseline_meeting = new_meeting("baseline")

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

    def check(meeting):
        meeting.refresh_from_db()
        confirmed = Registration.objects.filter(meeting=meeting, status="confirmed").count()
        waiting = Registration.objects.filter(meeting=meeting, status="waiting").count()
        assert (confirmed, waiting) == (capacity, signups - capacity), (confirmed, waiting)
        assert meeting.confirmed_count == confirmed

    services_by_name = {
        "before": registration_create_before,
        "registration_create": services.registration_create,
    }
    if not before:
        del services_by_name["before"]
    for mode in modes:
        rates = {}
        for name, service in services_by_name.items():
            meeting = new_meeting(f"{name} {mode}")

            def sign_up(person, service=service, meeting=meeting):
                service(meeting=meeting, person=person, by=person.user)

            label = f"{name} (one meeting, mail {mode})"
            if mode in ("worker", "after"):
                with MailWorker(after=mode == "after") as worker:
                    seconds = in_clients(clients, people, sign_up)
                    mails, drained = worker.finish()
                rates[name] = report(label, signups, seconds, base, rates.get("before"))
                server = (
                    ""
                    if worker.server_cpu is None
                    else f", PostgreSQL {1000 * worker.server_cpu / max(mails, 1):.2f}"
                )
                print(  # noqa: T201
                    f"{'':<4}worker: {mails:,} mails, done {drained:.2f} s after the clients,"
                    f" CPU {1000 * worker.cpu / max(mails, 1):.2f} ms a mail{server}"
                )
            else:
                seconds = in_clients(clients, people, sign_up)
                rates[name] = report(label, signups, seconds, base, rates.get("before"))
            check(meeting)
    print("check: every meeting exactly full, the rest waiting, never over capacity")  # noqa: T201


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark concurrent meeting sign-ups.")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--signups", type=int, default=SIGNUPS)
    parser.add_argument("--capacity", type=int, default=None)
    parser.add_argument(
        "--mail", choices=("inline", "worker", "after", "both", "all"), default="both"
    )
    parser.add_argument(
        "--no-before",
        action="store_true",
        help="leave out the service as it was before issue 13 (slow: 8 round trips locked)",
    )
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
    # Eager tasks log a line each ("Task ... succeeded"): not part of the report.
    import logging

    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.clients, args.signups, args.capacity, args.mail, before=not args.no_before)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main(sys.argv[1:])
