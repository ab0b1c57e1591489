"""Work that must not grow with the audience: freezing the recipient list is one INSERT ...
SELECT, and a batch's queries grow with its own size only (one UPDATE per message, marked right
after its SMTP transaction), never with the size of the send."""

from __future__ import annotations

import pytest
from django.db import connection

from newsletters.services import deliveries as engine
from newsletters.services import sends as send_services
from tests.factories import PersonFactory

from .conftest import FakeSMTP

pytestmark = pytest.mark.django_db

# Exact budgets: the same for any audience size (start) and any send size (a batch). A batch on
# PostgreSQL: the claim (one statement), the send's progress, the finish, the counters (one
# statement), whether claimable rows are left; elsewhere the claim is a short transaction of
# its own (its savepoint, the ids, the update, the release, the rows).
START_QUERIES = 20
BATCH_QUERIES = 5 if connection.vendor == "postgresql" else 9


def people(tree, count, prefix):
    for n in range(count):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"{prefix}{n}@hj.dk")


@pytest.mark.parametrize("count", [5, 60])
def test_starting_a_send_takes_the_same_queries_for_5_as_for_60_people(
    make_send, tree, assert_queries, count
):
    people(tree, count, "a")
    send = make_send()
    assert_queries(START_QUERIES, lambda: send_services.send_start(send=send, by=None), warm=False)


def test_a_batch_takes_a_fixed_number_of_queries_besides_one_update_per_message(
    make_send, tree, settings, assert_queries
):
    settings.NEWSLETTER_BATCH_SIZE = 10
    people(tree, 40, "c")
    send = make_send(start=True)
    engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())  # warms the cache
    result = assert_queries(
        10 + BATCH_QUERIES,
        lambda: engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP()),
        warm=False,
    )
    assert result.sent == 10
