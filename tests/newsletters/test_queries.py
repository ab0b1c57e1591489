"""Work that must not grow with the audience: freezing the recipient list is one INSERT ...
SELECT, and a batch's queries grow with its own size only (one UPDATE per message, marked right
after its SMTP transaction), never with the size of the send."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from newsletters.services import deliveries as engine
from newsletters.services import sends as send_services
from tests.factories import PersonFactory

from .conftest import FakeSMTP

pytestmark = pytest.mark.django_db


def people(tree, count, prefix):
    for n in range(count):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"{prefix}{n}@hj.dk")


def start_queries(make_send) -> int:
    send = make_send()
    with CaptureQueriesContext(connection) as queries:
        send_services.send_start(send=send, by=None)
    return len(queries)


def test_starting_a_send_takes_as_many_queries_for_5_as_for_60_people(make_send, tree):
    people(tree, 5, "a")
    few = start_queries(make_send)
    people(tree, 55, "b")
    many = start_queries(make_send)
    # (The first start also fills Wagtail's site cache.)
    assert many <= few


def test_a_batch_takes_a_fixed_number_of_queries_besides_one_update_per_message(
    make_send, tree, settings, django_assert_max_num_queries
):
    settings.NEWSLETTER_BATCH_SIZE = 10
    people(tree, 40, "c")
    send = make_send(start=True)
    engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())  # warms the cache
    with django_assert_max_num_queries(10 + 15):
        result = engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())
    assert result.sent == 10
