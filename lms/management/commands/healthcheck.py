"""`manage.py healthcheck`: is every part the platform needs up?

Checks the database, the cache, the Celery broker and a round trip through a running worker. Prints
one line per check and exits non-zero when any fails, so it can serve a load balancer, a container
orchestrator or a cron job that pages someone.
"""

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

DEFAULT_TIMEOUT = 10.0


class CheckFailed(Exception):
    """A check ran and found a problem; the message says which."""


@dataclass
class Result:
    name: str
    ok: bool
    detail: str


def run_with_deadline(fn: Callable[[], str], timeout: float) -> str:
    """Run `fn` in a daemon thread and give up after `timeout` seconds.

    A database or broker behind a dead network route can block a socket far longer than any
    library timeout promises; a daemon thread lets the command report and exit regardless.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = fn()
        except BaseException as exc:  # reported, never swallowed: the caller re-raises it
            outcome["error"] = exc
        finally:
            # Each thread has its own database connection; leave none behind.
            connections.close_all()

    thread = threading.Thread(target=target, daemon=True, name="healthcheck")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise CheckFailed(f"no answer within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise CheckFailed("SELECT 1 did not return 1")
    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def check_cache() -> str:
    cache = caches["default"]
    key = f"healthcheck:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    try:
        if cache.get(key) != value:
            raise CheckFailed("a value written to the cache could not be read back")
    finally:
        cache.delete(key)
    if cache.get(key) is not None:
        raise CheckFailed("a value deleted from the cache is still there")
    return type(cache).__name__


def check_broker(timeout: float) -> str:
    from lms.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
        return conn.as_uri()


def check_worker(timeout: float) -> str:
    from lms.celery import app

    started = time.monotonic()
    # send_task always goes through the broker, even where task_always_eager is on (the test
    # settings): an eager "round trip" would prove nothing about the workers.
    # A worker that starts later discards the message instead of answering a question nobody asks.
    result = app.send_task("lms.tasks.ping", expires=timeout)
    try:
        answer = result.get(timeout=timeout, interval=0.2, propagate=True)
    except CeleryTimeoutError as exc:
        raise CheckFailed(
            f"no worker answered within {timeout:g} s: is `celery -A lms worker` running?"
        ) from exc
    finally:
        try:
            result.forget()
        except OSError:
            pass  # the file result backend has nothing to forget when no answer came
    if answer != "pong":
        raise CheckFailed(f"the worker answered {answer!r} instead of 'pong'")
    return f"a worker answered in {time.monotonic() - started:.2f} s"


class Command(BaseCommand):
    help = (
        "Check the database, the cache, the Celery broker and a round trip through a running "
        "worker. Exits non-zero when any check fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            help="Seconds each check may take, and to wait for a worker (default: 10).",
        )

    def handle(self, *args, timeout: float, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be a positive number of seconds.")
        results: list[Result] = []

        def run(name: str, fn: Callable[[], str], deadline: float) -> bool:
            try:
                detail = run_with_deadline(fn, deadline)
            except Exception as exc:
                result = Result(name, False, str(exc) or type(exc).__name__)
            else:
                result = Result(name, True, detail)
            results.append(result)
            line = f"{'OK  ' if result.ok else 'FAIL'} {name:<9} {result.detail}"
            style = self.style.SUCCESS if result.ok else self.style.ERROR
            self.stdout.write(style(line))
            return result.ok

        run("database", check_database, timeout)
        run("cache", check_cache, timeout)
        if run("broker", lambda: check_broker(timeout), timeout + 1):
            # The worker check owns its timeout; the extra second lets it report it first.
            run("worker", lambda: check_worker(timeout), timeout + 2)
        else:
            results.append(Result("worker", False, "not checked: the broker is unreachable"))
            self.stdout.write(
                self.style.ERROR(f"FAIL {'worker':<9} not checked: the broker is unreachable")
            )

        failed = [r.name for r in results if not r.ok]
        if failed:
            raise CommandError(f"Health check failed: {', '.join(failed)}.")
        self.stdout.write(self.style.SUCCESS("All checks passed."))
