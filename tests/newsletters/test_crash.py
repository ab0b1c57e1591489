"""The send engine against real processes: a `celery worker` on a Redis broker that the test
starts on a port of its own, mailing a local SMTP sink (aiosmtpd), SIGKILLed in the middle of a
send; a second worker finishes it. The sink's count per address: nobody missing, and duplicates
at most the killed worker's concurrency (the messages in flight when it died). PostgreSQL only:
the workers share the test's database."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection

from newsletters.models import Delivery, Send
from newsletters.services import sends as send_services
from tests.browser.conftest import wagtail_roots_ensure
from tests.factories import PersonFactory

from .conftest import edition_make

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="workers share PostgreSQL"),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

CONCURRENCY = 2
PEOPLE = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """Counts the recipients of every message it accepts; each takes a little while, so that a
    send lasts long enough to be killed in the middle."""

    def __init__(self):
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.03)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.counts[address] += 1
        return "250 2.0.0 OK"

    def total(self) -> int:
        with self.lock:
            return sum(self.counts.values())


@pytest.fixture
def sink():
    from aiosmtpd.controller import Controller

    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


class RedisServer:
    """A redis-server of the test's own, on a port of its own, that can be stopped and started
    again (empty: whatever was queued is lost, as when a broker dies without persistence)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def up() -> bool:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return True
            except OSError:
                return False

        assert wait_for(up, timeout=10, step=0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def environment(tmp_path, *, redis_port: int, smtp_port: int) -> dict:
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST", "CELERY_", "REDIS_", "EMAIL_", "NEWSLETTER_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.dev",
        DJANGO_DEBUG="false",
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        LMS_VAR_DIR=str(tmp_path / "var"),
        NEWSLETTER_BATCH_SIZE="10",
        NEWSLETTER_CLAIM_LEASE_SECONDS="6",
        NEWSLETTER_STALL_SECONDS="2",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def celery(*args) -> list[str]:
    return [str(Path(sys.executable).parent / "celery"), "-A", "lms", *args]


def worker(env, name: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        celery(
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(CONCURRENCY),
            "--queues",
            "celery,urgent,newsletters",
            "--hostname",
            f"{name}@%h",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "WARNING",
        ),
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def call(env, task: str, *args) -> None:
    subprocess.run(
        celery("call", task, "--args", repr(list(args)), "--queue", "newsletters")
        if args
        else celery("call", task),
        cwd=django_settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def wait_for(predicate, timeout: float, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def started_send(tree, monkeypatch) -> Send:
    """A started send of PEOPLE recipients whose batches the test enqueues itself."""
    wagtail_roots_ensure()
    monkeypatch.setattr(send_services, "_enqueue", lambda send, batches: None)
    for n in range(PEOPLE):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"crash{n}@hj.dk")
    send = send_services.send_create(
        edition=edition_make(), org_unit=tree["HJ"], audience_units=[tree["HJ"]], by=None
    )
    return send_services.send_start(send=send, by=None)


def until_sent(env, send: Send):
    """A predicate for wait_for: the send is done; until then, do the beat's job and enqueue
    again what made no progress."""

    def done() -> bool:
        if Send.objects.get(pk=send.pk).status == Send.Status.SENT:
            return True
        call(env, "newsletters.dispatch")
        return False

    return done


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_loses_nobody_and_doubles_at_most_its_concurrency(
    tree, sink, redis, tmp_path, monkeypatch
):
    handler, smtp_port = sink
    send = started_send(tree, monkeypatch)
    env = environment(tmp_path, redis_port=redis.port, smtp_port=smtp_port)
    first = worker(env, "first", tmp_path / "first.log")
    second = None
    try:
        for _batch in range(CONCURRENCY):
            call(env, "newsletters.send_batch", send.pk)
        assert wait_for(lambda: handler.total() >= PEOPLE // 4, timeout=90), (
            tmp_path / "first.log"
        ).read_text()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = handler.total()
        assert killed_at < PEOPLE
        second = worker(env, "second", tmp_path / "second.log")
        # The killed worker's rows are claimed again once their lease has run out.
        assert wait_for(until_sent(env, send), timeout=120, step=3), (
            tmp_path / "second.log"
        ).read_text()
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
    expected = {f"crash{n}@hj.dk" for n in range(PEOPLE)}
    assert set(handler.counts) == expected
    duplicates = sum(count - 1 for count in handler.counts.values())
    assert duplicates <= CONCURRENCY
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {"sent"}
    flagged = set(
        Delivery.objects.filter(send=send, possibly_duplicated=True).values_list("email", flat=True)
    )
    # Every address that got two copies is among the rows reported as possibly duplicated.
    assert {a for a, c in handler.counts.items() if c > 1} <= flagged


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_dies_mid_send_and_comes_back_empty_strands_nothing(
    tree, sink, redis, tmp_path, monkeypatch
):
    handler, smtp_port = sink
    send = started_send(tree, monkeypatch)
    env = environment(tmp_path, redis_port=redis.port, smtp_port=smtp_port)
    process = worker(env, "survivor", tmp_path / "survivor.log")
    try:
        for _batch in range(CONCURRENCY):
            call(env, "newsletters.send_batch", send.pk)
        assert wait_for(lambda: handler.total() >= PEOPLE // 4, timeout=90), (
            tmp_path / "survivor.log"
        ).read_text()
        redis.stop()
        assert handler.total() < PEOPLE
        time.sleep(3)
        # Back, but empty: the queued batches are gone. The database still knows what is left.
        redis.start()
        assert wait_for(until_sent(env, send), timeout=150, step=3), (
            tmp_path / "survivor.log"
        ).read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
    assert set(handler.counts) == {f"crash{n}@hj.dk" for n in range(PEOPLE)}
    # Nobody was killed: nothing is sent twice.
    assert set(handler.counts.values()) == {1}
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {"sent"}
