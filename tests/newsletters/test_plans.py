"""The deliveries' indexes on PostgreSQL, and the prepared "sent" mark.

The claim's index holds the open rows only (pending, sending: newsletters 0006), so that a mark
does not write it; every query that looks for open rows must still be answered from it. The
planner's choice on a test-sized table depends on other tests' writes, so the plans are read
with the index under test the only way left to read the table (tests.plans): what is checked is
that the index can answer the query (its condition follows from the query's), not the planner's
choice on a large ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from newsletters.models import Delivery, Send
from newsletters.services import deliveries as engine
from newsletters.services import sends as send_services
from tests.browser.conftest import wagtail_roots_ensure
from tests.factories import PersonFactory
from tests.plans import plans_with_only

from .conftest import FakeSMTP, edition_make

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL"),
]

D = Delivery.Status
OPEN_INDEX = "newsletter_delivery_open"


def delivery_plans(fn, index: str = OPEN_INDEX) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """(SQL, its scans of the deliveries) of each statement on the deliveries that fn runs, in
    order, planned with `index` the only way left to read them (tests.plans)."""
    return plans_with_only(fn, table="newsletters_delivery", index=index)


def answered_from(scans: list[tuple[str, str | None]], index: str = OPEN_INDEX) -> bool:
    return bool(scans) and all(name == index for _node, name in scans)


@pytest.fixture
def half_sent(make_send, tree, staff):
    """A send with 40 recipients, 30 of them sent: the open rows are the fewer."""
    for n in range(40):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"plan{n}@hj.dk")
    send = make_send(start=True)
    ids = list(Delivery.objects.filter(send=send).order_by("pk").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids[:30]).update(status=D.SENT, sent_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE newsletters_delivery")
    return send


def test_the_claim_is_answered_from_the_open_rows_index(half_sent):
    plans = delivery_plans(
        lambda: engine.deliveries_claim(send_id=half_sent.pk, limit=5, token="plan")
    )
    sql, scans = plans[0]
    assert "FOR UPDATE" in sql
    # One statement: the claimable rows are found in the open rows' index, then updated
    # through their primary key.
    found = [scan for scan in scans if scan[1] != "newsletters_delivery_pkey"]
    assert answered_from(found), scans
    assert len(found) == 1, scans


def test_whether_claimable_rows_are_left_is_answered_from_the_open_rows_index(half_sent):
    [(_sql, scans)] = delivery_plans(lambda: engine._claimable_left(half_sent.pk, timezone.now()))
    assert answered_from(scans), scans


def test_finishing_a_send_looks_for_open_rows_in_the_open_rows_index(half_sent):
    plans = delivery_plans(lambda: send_services.send_finish_if_done(send_id=half_sent.pk))
    sql, scans = plans[0]  # the conditional UPDATE of the send: no open row left
    assert sql.startswith('UPDATE "newsletters_send"')
    assert answered_from(scans), scans


def test_cancelling_skips_the_pending_rows_found_in_the_open_rows_index(half_sent):
    plans = delivery_plans(lambda: send_services.send_cancel(send=half_sent, by=None))
    skips = [scans for sql, scans in plans if sql.startswith('UPDATE "newsletters_delivery"')]
    assert skips
    assert answered_from(skips[0]), skips[0]


def test_the_beat_looks_for_stalled_rows_in_the_open_rows_index(half_sent, monkeypatch):
    Send.objects.filter(pk=half_sent.pk).update(progress_at=None)
    monkeypatch.setattr(send_services, "_enqueue", lambda send, batches: None)
    plans = delivery_plans(
        lambda: send_services.sends_requeue_stalled(now=timezone.now() + dt.timedelta(seconds=1))
    )
    assert plans
    for sql, scans in plans:
        assert answered_from(scans), (sql, scans)


def test_the_ledger_of_a_send_is_read_through_the_unique_index(half_sent):
    """The send's own index is gone: its whole ledger (counters, report) comes from the unique
    (send, person) index."""
    unique = "newsletter_delivery_unique"
    plans = delivery_plans(lambda: send_services.send_counters_refresh(send=half_sent), unique)
    assert plans
    for sql, scans in plans:
        assert answered_from(scans, unique), (sql, scans)


def prepared_marks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = %s",
            [engine._MARK_STATEMENT.decode()],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_mark_is_prepared_once_per_connection_and_again_on_a_new_one(
    tree, settings, monkeypatch
):
    settings.NEWSLETTER_BATCH_SIZE = 3
    wagtail_roots_ensure()
    monkeypatch.setattr(send_services, "_enqueue", lambda send, batches: None)
    for n in range(10):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"prepared{n}@hj.dk")
    send = send_services.send_create(
        edition=edition_make(), org_unit=tree["HJ"], audience_units=[tree["HJ"]], by=None
    )
    send = send_services.send_start(send=send, by=None)
    first = engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())
    assert (first.sent, prepared_marks()) == (3, 1)
    engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())
    assert prepared_marks() == 1  # the same statement, not prepared again
    connection.close()  # a new connection (CONN_MAX_AGE, a lost server) prepares it again
    assert engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP()).sent == 3
    assert prepared_marks() == 1
    while engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP()).more:
        pass
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {D.SENT}
