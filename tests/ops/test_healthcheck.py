"""`manage.py healthcheck` against real processes: no worker, a running worker, dead servers."""

import os
import subprocess
import threading
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lms.management.commands.healthcheck import CheckFailed, run_with_deadline

from .helpers import BASE_DIR, VENV_BIN, isolated_env, manage

REDIS_URL = os.environ.get("REDIS_URL", "")

# The embedded broker always; Redis too when the run has one (CI's second pass). Each Redis test
# uses its own database numbers so that tests running in parallel never answer each other's pings.
BACKENDS = [
    pytest.param({}, id="embedded"),
    pytest.param(
        {"REDIS_URL": REDIS_URL, "REDIS_CACHE_DB": "11"},
        id="redis",
        marks=pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set"),
    ),
]


def redis_dbs(backend: dict, broker: int, results: int) -> dict:
    if "REDIS_URL" not in backend:
        return backend
    return {**backend, "REDIS_BROKER_DB": str(broker), "REDIS_RESULT_DB": str(results)}


@pytest.fixture
def worker(tmp_path):
    """Start `celery -A lms worker` with the given environment; stop it afterwards."""
    processes = []

    def start(env: dict) -> subprocess.Popen:
        log = tmp_path / "worker.log"
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "lms",
                "worker",
                "--pool=solo",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        processes.append(proc)
        deadline = time.monotonic() + 90
        while "ready." not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        return proc

    yield start
    for proc in processes:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("backend", BACKENDS)
def test_fails_without_a_worker(tmp_path, backend):
    env = isolated_env(tmp_path, **redis_dbs(backend, broker=12, results=13))
    # A hang would end in subprocess.TimeoutExpired. The deadline itself is pinned by
    # test_a_hanging_check_is_abandoned_at_its_deadline, not by timing a loaded machine.
    result = manage("healthcheck", "--timeout", "2", env=env)

    assert result.returncode != 0
    lines = result.stdout.splitlines()
    assert any(line.startswith("OK   database") for line in lines), result.stdout
    assert any(line.startswith("OK   cache") for line in lines), result.stdout
    assert any(line.startswith("OK   broker") for line in lines), result.stdout
    assert (
        "FAIL worker    no worker answered within 2 s: is `celery -A lms worker` running?" in lines
    ), result.stdout
    assert "Health check failed: worker." in result.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_succeeds_with_a_running_worker(tmp_path, backend, worker):
    env = isolated_env(tmp_path, **redis_dbs(backend, broker=14, results=15))
    worker(env)

    result = manage("healthcheck", "--timeout", "10", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:4]] == [
        ["OK", "database"],
        ["OK", "cache"],
        ["OK", "broker"],
        ["OK", "worker"],
    ]
    assert "All checks passed." in result.stdout


def test_unreachable_broker_fails_fast_and_skips_the_worker(tmp_path):
    # Nothing listens on port 1.
    env = isolated_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    result = manage("healthcheck", "--timeout", "2", env=env)

    assert result.returncode != 0
    assert any(line.startswith("FAIL broker") for line in result.stdout.splitlines())
    assert "FAIL worker    not checked: the broker is unreachable" in result.stdout
    assert "Health check failed: broker, worker." in result.stderr


def test_unreachable_database_fails(tmp_path):
    env = isolated_env(tmp_path, DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing")
    result = manage("healthcheck", "--timeout", "2", env=env)

    assert result.returncode != 0
    assert any(line.startswith("FAIL database") for line in result.stdout.splitlines())
    assert "Health check failed: database" in result.stderr


def test_rejects_a_non_positive_timeout():
    with pytest.raises(CommandError, match="--timeout must be a positive number"):
        call_command("healthcheck", "--timeout", "0", stdout=StringIO())


def test_a_hanging_check_is_abandoned_at_its_deadline(monkeypatch):
    # The check hangs until released: had the command waited for it, this test would never end.
    release = threading.Event()
    waits: list[float | None] = []
    join = threading.Thread.join

    def join_recorded(thread, timeout=None):
        waits.append(timeout)
        return join(thread, timeout)

    monkeypatch.setattr(threading.Thread, "join", join_recorded)
    try:
        with pytest.raises(CheckFailed, match="no answer within 0.2 s"):
            run_with_deadline(lambda: release.wait() and "late", 0.2)
        assert waits == [0.2]
        assert not release.is_set()
    finally:
        release.set()


def test_a_check_error_is_reported_not_swallowed():
    def broken() -> str:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        run_with_deadline(broken, 1)
