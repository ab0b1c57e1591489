"""Exactly once under concurrency: workers claiming the same send at once, with real threads and
one database connection each, on PostgreSQL (SELECT ... FOR UPDATE SKIP LOCKED).

As pretix does for its locks: first the race without the claim's row locks (two workers read
the same pending rows and both send them), then the engine, where every address gets one copy.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.utils import timezone

from newsletters.models import Delivery, Send
from newsletters.services import deliveries as engine
from newsletters.services import sends as send_services
from tests.browser.conftest import wagtail_roots_ensure
from tests.factories import PersonFactory

from .conftest import FakeSMTP, edition_make

D = Delivery.Status

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"
)


def big_send(tree, people: int, monkeypatch) -> Send:
    wagtail_roots_ensure()
    # The threads below are the workers: the start enqueues no batch of its own.
    monkeypatch.setattr(send_services, "_enqueue", lambda send, batches: None)
    for n in range(people):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"p{n}@hj.dk")
    send = send_services.send_create(
        edition=edition_make(), org_unit=tree["HJ"], audience_units=[tree["HJ"]], by=None
    )
    return send_services.send_start(send=send, by=None)


def run_workers(count: int, work):
    barrier = threading.Barrier(count)
    errors = []

    def worker(n):
        try:
            barrier.wait()
            work(n)
        except Exception as error:  # every failure is part of what the test looks at
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def claim_unlocked(*, send_id, limit, token, now, gate):
    """deliveries_claim without FOR UPDATE SKIP LOCKED: read the pending rows, then claim them.
    Only here, to show that two workers then take the same rows."""
    ids = list(
        Delivery.objects.filter(send_id=send_id, status=D.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    gate.wait()
    Delivery.objects.filter(pk__in=ids).update(status=D.SENDING, claimed_at=now, claim_token=token)
    return list(Delivery.objects.filter(pk__in=ids))


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_row_locks_two_workers_send_the_same_rows(tree, settings, monkeypatch):
    settings.NEWSLETTER_WORKERS = 1
    send = big_send(tree, 20, monkeypatch)
    accepted, lock = [], threading.Lock()
    gate = threading.Barrier(2)
    monkeypatch.setattr(
        engine,
        "deliveries_claim",
        lambda **kw: claim_unlocked(gate=gate, **kw),
    )

    def work(_n):
        engine.deliveries_send_batch(
            send_id=send.pk, connection=FakeSMTP(shared=accepted, lock=lock)
        )

    assert run_workers(2, work) == []
    counts = Counter(accepted)
    assert max(counts.values()) == 2


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_workers_send_every_address_exactly_once(tree, settings, monkeypatch):
    settings.NEWSLETTER_BATCH_SIZE = 7
    send = big_send(tree, 300, monkeypatch)
    accepted, lock = [], threading.Lock()

    def work(_n):
        smtp = FakeSMTP(shared=accepted, lock=lock)
        while engine.deliveries_send_batch(send_id=send.pk, connection=smtp).more:
            pass

    assert run_workers(4, work) == []
    counts = Counter(accepted)
    assert len(counts) == 300
    assert set(counts.values()) == {1}
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {D.SENT}
    send.refresh_from_db()
    assert (send.status, send.sent_count, send.duplicate_risk_count) == (Send.Status.SENT, 300, 0)
    assert send.finished_at <= timezone.now()


sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own test")


def sqlite_file_settings(tmp_path) -> dict:
    """The test database copied to a file, opened as the platform opens SQLite (IMMEDIATE
    transactions, a busy timeout): the test run's in-memory database cannot show two writers
    queueing."""
    import sqlite3

    path = tmp_path / "newsletter.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    settings = copy.deepcopy(connection.settings_dict)
    settings["NAME"] = str(path)
    settings["TEST"] = {**settings.get("TEST", {}), "NAME": str(path)}
    settings["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    return settings


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_claims_in_immediate_transactions_send_every_address_once(
    tree, settings, monkeypatch, tmp_path
):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings.NEWSLETTER_BATCH_SIZE = 5
    send = big_send(tree, 60, monkeypatch)
    database = sqlite_file_settings(tmp_path)
    accepted, lock = [], threading.Lock()

    def work(_n):
        connections["default"] = DatabaseWrapper(copy.deepcopy(database), "default")
        smtp = FakeSMTP(shared=accepted, lock=lock)
        while engine.deliveries_send_batch(send_id=send.pk, connection=smtp).more:
            pass

    assert run_workers(3, work) == []
    counts = Counter(accepted)
    assert len(counts) == 60
    assert set(counts.values()) == {1}
