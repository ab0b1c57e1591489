"""Benchmark: a newsletter to 6,000 recipients through the real send engine, against a bare
smtplib loop that sends the same rendered message over one connection.

Run it on demand (it is excluded from the normal test run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_bench \\
        .venv/bin/python -m tests.benchmarks.bench_newsletter            # PostgreSQL
    .venv/bin/python -m tests.benchmarks.bench_newsletter                # SQLite, a file DB

Options: --recipients N (default 6000); --rounds N (measure N times, print the ratios' median:
the machine's other work makes single runs noisy); --no-pipelining (the sink does not advertise
PIPELINING); --async-marks (NEWSLETTER_ASYNC_MARKS). BENCH_PROFILE=DIR dumps a cProfile (CPU
time) of each worker into DIR.

Both sides mail one SMTP sink, an aiosmtpd server in a process of its own that only counts:
its DATA reads the message in large chunks up to the final "." (aiosmtpd's own reads it a line
at a time, which cost more CPU than either client), it advertises PIPELINING and answers
pipelined commands in one write, as real relays do. It times:
  - baseline: one smtplib connection sending the rendered message to every address in a loop;
  - the engine with one worker process, then with two: each worker claims batches in the
    database, sends them over one SMTP connection (Django's SMTP backend, driven by
    lms.smtpwire with each mail's bytes made from the edition serialised once) and marks every
    row after its SMTP transaction, as the Celery task does;
and prints messages per second, the ratios to the baseline (goals: one worker at least 0.8, two
at least 1.6 on two cores), the CPU milliseconds per message of each party (client or workers,
sink, the workers' PostgreSQL backends: what the cores are spent on whatever else runs), the
largest resident memory of a worker, and the machine's load average before and after (the
ratios mean little on a machine busy with other work). Timings are printed, never asserted:
they depend on the machine.
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
import time

RECIPIENTS = 6000


def sink_serve(port: int, count, ready, stop, pipelining: bool) -> None:
    """The SMTP sink, in a process of its own: aiosmtpd's SMTP conversation (EHLO, MAIL, RCPT,
    and PIPELINING advertised, RFC 2920: aiosmtpd reads pipelined commands in order but does not
    say so), with the message data read in large chunks up to the final "." and only counted.
    aiosmtpd's own DATA reads, checks and keeps the message a line at a time, which made the sink
    cost more CPU per message than either client, on the same two cores."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    end = b"\r\n.\r\n"

    class Counting(SMTP):
        answers: list[bytes]

        async def push(self, status):
            """Answers to pipelined commands go out together once no command waits (RFC 2920,
            3.2: as servers such as Postfix do); aiosmtpd writes each on its own."""
            answers = self.__dict__.setdefault("answers", [])
            answers.append(status.encode("ascii") if isinstance(status, str) else status)
            if not self._reader._buffer:
                self._writer.write(b"\r\n".join(answers) + b"\r\n")
                answers.clear()
                await self._writer.drain()

        async def smtp_DATA(self, arg):
            if not self.envelope.rcpt_tos:
                await self.push("503 Error: need RCPT command")
                return
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            reader = self._reader
            tail = b"\r\n"  # the DATA line's end: a message may be empty
            while True:
                chunk = await reader.read(1 << 16)
                if not chunk:
                    return
                window = tail + chunk
                found = window.find(end)
                if found >= 0:
                    # Both clients wait for the answer to "." before they write again.
                    assert found + len(end) == len(window), "data after the final dot"
                    break
                tail = window[-4:]
            count.value += len(self.envelope.rcpt_tos)
            self._set_post_data_state()
            await self.push("250 2.0.0 OK")

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            if pipelining:
                responses.insert(-1, "250-PIPELINING")
            return responses

    class SinkController(Controller):
        def factory(self):
            return Counting(self.handler, **self.SMTP_kwargs)

    controller = SinkController(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) of a process so far (Linux: /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sink:
    """The sink process: its count of accepted messages and its CPU seconds so far."""

    def __init__(self, pipelining: bool = True):
        import multiprocessing

        from django.db import connections

        connections.close_all()  # the fork must not share the database connection
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        fork = multiprocessing.get_context("fork")
        self._count = fork.RawValue("q", 0)
        ready, self._stop = fork.Event(), fork.Event()
        self.process = fork.Process(
            target=sink_serve, args=(self.port, self._count, ready, self._stop, pipelining)
        )
        self.process.start()
        ready.wait(30)

    @property
    def count(self) -> int:
        return self._count.value

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self._stop.set()
        self.process.join(30)


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


def bare_loop(port: int, recipients: int, rendered) -> tuple[float, float]:
    """Seconds of one smtplib connection sending the rendered mail to every address, and its CPU
    seconds."""
    from newsletters.emails.editions import message_build
    from newsletters.models import Delivery

    message = message_build(rendered, delivery=Delivery(email="x@example.dk"))
    raw = message.message().as_bytes(linesep="\r\n")
    started, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(recipients):
            smtp.sendmail("infohus@example.dk", [f"bench{n}@example.dk"], raw)
    return time.perf_counter() - started, time.process_time() - cpu


def engine(port: int, send_id: int, workers: int) -> tuple[float, int, float, float]:
    """Seconds for `workers` processes to send the whole send, their largest RSS (KiB), their
    CPU seconds and their database server processes' CPU seconds (when on the same machine)."""
    import multiprocessing

    from django.core.mail import get_connection
    from django.db import connection, connections

    from newsletters.services import deliveries

    fork = multiprocessing.get_context("fork")
    connections.close_all()
    barrier = fork.Barrier(workers + 1)
    results = fork.Queue()

    def worker():
        try:
            smtp = get_connection(
                "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=port
            )
            backend = None
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    backend = cursor.fetchone()[0]
            db_cpu = _cpu_or_none(backend)
            barrier.wait()
            profile = None
            if os.environ.get("BENCH_PROFILE"):  # a directory: one cProfile dump per worker
                import cProfile

                profile = cProfile.Profile(time.process_time)
                profile.enable()
            cpu = time.process_time()
            while deliveries.deliveries_send_batch(send_id=send_id, connection=smtp).more:
                pass
            cpu = time.process_time() - cpu
            if profile is not None:
                profile.disable()
                name = f"worker-{workers}-{os.getpid()}.prof"
                profile.dump_stats(os.path.join(os.environ["BENCH_PROFILE"], name))
            if db_cpu is not None:
                db_cpu = _cpu_or_none(backend) - db_cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            results.put((peak, cpu, db_cpu or 0.0))
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
    peaks, cpus, db_cpus = zip(*(results.get() for _ in processes), strict=True)
    return seconds, max(peaks), sum(cpus), sum(db_cpus)


def _cpu_or_none(pid: int | None) -> float | None:
    try:
        return cpu_seconds(pid) if pid else None
    except OSError:  # the database server on another machine
        return None


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


def report_cpu(count: int, **seconds: float) -> None:
    """CPU milliseconds per message of each party: what the two cores are spent on, whatever
    else runs on the machine."""
    parts = ", ".join(f"{name} {value * 1000 / count:.3f}" for name, value in seconds.items())
    print(f"  CPU ms per message: {parts}")  # noqa: T201


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def run(recipients: int = RECIPIENTS, rounds: int = 1, pipelining: bool = True) -> None:
    from django.conf import settings
    from django.db import connection

    from newsletters.emails.editions import RenderedEdition
    from newsletters.models import Delivery, Send

    settings.NEWSLETTER_RATE_PER_MINUTE = 0
    # Wagtail logs every page it creates.
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    new_send = setup(recipients)
    sink = Sink(pipelining)
    try:
        print(  # noqa: T201
            f"{recipients:,} recipients on {connection.vendor}, {os.cpu_count()} cores, "
            f"the sink {'with' if pipelining else 'without'} PIPELINING, "
            f"marks {'asynchronous' if settings.NEWSLETTER_ASYNC_MARKS else 'synchronous'}"
        )
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))  # noqa: T201
        first = new_send()
        rendered = RenderedEdition(**first.rendered)
        latency = commit_latency(first.pk)
        print(f"one committed UPDATE (median): {latency * 1000:.2f} ms")  # noqa: T201
        ratios: dict[int, list[float]] = {1: [], 2: []}
        peaks: list[int] = []
        for number in range(1, rounds + 1):
            if rounds > 1:
                print(f"round {number} of {rounds}")  # noqa: T201
            sink_cpu = sink.cpu()
            seconds, client_cpu = bare_loop(sink.port, recipients, rendered)
            base = report("baseline: bare smtplib loop", recipients, seconds)
            report_cpu(recipients, client=client_cpu, sink=sink.cpu() - sink_cpu)
            for workers in (1, 2):
                send = first if (number, workers) == (1, 1) else new_send()
                sink_cpu = sink.cpu()
                seconds, peak, cpu, db_cpu = engine(sink.port, send.pk, workers)
                rate = report(f"engine, {workers} worker(s)", recipients, seconds, base)
                report_cpu(recipients, workers=cpu, sink=sink.cpu() - sink_cpu, database=db_cpu)
                print(f"  largest worker memory: {peak / 1024:.0f} MiB")  # noqa: T201
                ratios[workers].append(rate / base)
                peaks.append(peak)
                sent = Delivery.objects.filter(send=send, status="sent").count()
                assert sent == recipients, sent
                assert Send.objects.get(pk=send.pk).status == "sent"
        expected = recipients * 3 * rounds
        print(f"check: the sink accepted {sink.count:,} messages of {expected:,}")  # noqa: T201
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))  # noqa: T201
        print(  # noqa: T201
            f"median ratio to the baseline over {rounds} round(s): "
            f"one worker {median(ratios[1]):.2f} (goal 0.8), "
            f"two workers {median(ratios[2]):.2f} (goal 1.6); "
            f"largest worker memory {max(peaks) / 1024:.0f} MiB"
        )
    finally:
        sink.stop()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Benchmark the newsletter send engine.")
    parser.add_argument("--recipients", type=int, default=RECIPIENTS)
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure this many times (the ratios' median)"
    )
    parser.add_argument(
        "--no-pipelining", action="store_true", help="the sink does not advertise PIPELINING"
    )
    parser.add_argument(
        "--async-marks",
        action="store_true",
        help="NEWSLETTER_ASYNC_MARKS: the marks' commits do not wait for the disk (PostgreSQL)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.test")
    import django

    django.setup()
    from django.conf import settings

    settings.NEWSLETTER_ASYNC_MARKS = args.async_marks
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="lms-bench-")
        connection.settings_dict["TEST"]["NAME"] = os.path.join(folder, "bench.sqlite3")
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args.recipients, args.rounds, pipelining=not args.no_pipelining)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main(sys.argv[1:])
