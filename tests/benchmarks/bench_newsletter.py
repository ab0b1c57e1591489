"""Benchmark: a newsletter to 6,000 recipients through the real send engine, against a bare
smtplib loop that sends the same rendered message over one connection.

Run it on demand (it is excluded from the normal test run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \\
        .venv/bin/python -m tests.benchmarks.bench_newsletter            # PostgreSQL
    .venv/bin/python -m tests.benchmarks.bench_newsletter                # SQLite, a file DB

Options: --recipients N (default 6000).

Both sides mail a local SMTP sink (aiosmtpd, in this process). It times:
  - baseline: one smtplib connection sending the rendered message to every address in a loop;
  - the engine with one worker process, then with two: each worker claims batches in the
    database, sends them over one SMTP connection (Django's SMTP backend, driven by
    lms.smtpwire with each mail's bytes made from the edition serialised once) and marks every
    row after its SMTP transaction, as the Celery task does;
and prints messages per second, the ratios to the baseline (goals: one worker at least 0.8, two
at least 1.6 on two cores), the largest resident memory of a worker, and the machine's load
average before and after (the ratios mean little on a machine busy with other work). Timings
are printed, never asserted: they depend on the machine.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import smtplib
import socket
import sys
import tempfile
import threading
import time

RECIPIENTS = 6000


class Sink:
    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += len(envelope.rcpt_tos)
        return "250 2.0.0 OK"


def setup(recipients: int):
    from lms.people.models import OrgUnit, Person
    from newsletters.services import sends as send_services
    from tests.browser.conftest import wagtail_roots_ensure
    from tests.newsletters.conftest import edition_make

    wagtail_roots_ensure()
    root = OrgUnit.add_root(code="BENCH", name="Bench Kommune", kind="municipality")
    unit = OrgUnit.objects.get(pk=root.pk).add_child(
        code="BENCH-1", name="Bench skole", kind="workplace"
    )
    Person.objects.bulk_create(
        Person(name=f"Bench {n}", email=f"bench{n}@example.dk", org_unit=unit)
        for n in range(recipients)
    )
    edition = edition_make()
    # The workers below are the engine: the start enqueues nothing.
    send_services._enqueue = lambda send, batches: None

    def new_send():
        send = send_services.send_create(
            edition=edition, org_unit=root, audience_units=[root], by=None
        )
        return send_services.send_start(send=send, by=None)

    return new_send


def bare_loop(port: int, recipients: int, rendered) -> float:
    from newsletters.emails.editions import message_build
    from newsletters.models import Delivery

    message = message_build(rendered, delivery=Delivery(email="x@example.dk"))
    raw = message.message().as_bytes(linesep="\r\n")
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(recipients):
            smtp.sendmail("infohus@example.dk", [f"bench{n}@example.dk"], raw)
    return time.perf_counter() - started


def engine(port: int, send_id: int, workers: int) -> tuple[float, int]:
    """Seconds for `workers` processes to send the whole send, and their largest RSS (KiB)."""
    import multiprocessing

    from django.core.mail import get_connection
    from django.db import connections

    from newsletters.services import deliveries

    fork = multiprocessing.get_context("fork")
    connections.close_all()
    barrier = fork.Barrier(workers + 1)
    peaks = fork.Queue()

    def worker():
        try:
            smtp = get_connection(
                "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
            )
            barrier.wait()
            while deliveries.deliveries_send_batch(send_id=send_id, connection=smtp).more:
                pass
            peaks.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        finally:
            connections.close_all()

    processes = [fork.Process(target=worker) for _ in range(workers)]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    return seconds, max(peaks.get() for _ in processes)


def commit_latency(send_id: int, count: int = 200) -> float:
    """Median seconds of one committed UPDATE (autocommit): the floor of one worker's time per
    message, since each row's mark is committed before the next message is accepted."""
    from django.db import connection

    times = []
    with connection.cursor() as cursor:
        for _ in range(count):
            started = time.perf_counter()
            cursor.execute(
                "UPDATE newsletters_send SET progress_at = progress_at WHERE id = %s", [send_id]
            )
            times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def report(label: str, count: int, seconds: float, baseline: float | None = None) -> float:
    rate = count / seconds
    ratio = f"  ({rate / baseline:.2f} x baseline)" if baseline else ""
    print(f"{label:<40} {seconds:8.2f} s {rate:10,.0f} messages/s{ratio}")  # noqa: T201
    return rate


def run(recipients: int = RECIPIENTS) -> None:
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.db import connection

    from newsletters.emails.editions import RenderedEdition
    from newsletters.models import Delivery, Send

    settings.NEWSLETTER_RATE_PER_MINUTE = 0
    # aiosmtpd logs every SMTP command at INFO; Wagtail every page it creates.
    for name in ("mail.log", "wagtail"):
        logging.getLogger(name).setLevel(logging.WARNING)
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        new_send = setup(recipients)
        print(f"{recipients:,} recipients on {connection.vendor}, {os.cpu_count()} cores")  # noqa: T201
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))  # noqa: T201
        first = new_send()
        rendered = RenderedEdition(**first.rendered)
        latency = commit_latency(first.pk)
        print(f"one committed UPDATE (median): {latency * 1000:.2f} ms")  # noqa: T201
        base = report(
            "baseline: bare smtplib loop", recipients, bare_loop(port, recipients, rendered)
        )
        for workers, send in ((1, first), (2, new_send())):
            seconds, peak = engine(port, send.pk, workers)
            report(f"engine, {workers} worker(s)", recipients, seconds, base)
            print(f"  largest worker memory: {peak / 1024:.0f} MiB")  # noqa: T201
            sent = Delivery.objects.filter(send=send, status="sent").count()
            assert sent == recipients, sent
            assert Send.objects.get(pk=send.pk).status == "sent"
        print(f"check: the sink accepted {sink.count:,} messages")  # noqa: T201
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))  # noqa: T201
    finally:
        controller.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the newsletter send engine.")
    parser.add_argument("--recipients", type=int, default=RECIPIENTS)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="lms-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(folder, "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.recipients)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main(sys.argv[1:])
