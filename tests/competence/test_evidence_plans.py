"""The status reads are answered from the partial covering index on live evidence alone (an
index-only scan on PostgreSQL): every column they read is in it, and they read live evidence only.

What is checked is that the index covers each read, not which plan the planner would pick on a
test-sized table after other tests' statistics (on such a table it may pick a sequential scan, or
the competence foreign-key index and an aggregate over it). So the plans are read with every
choice but the covering index taken away, in a savepoint that is rolled back: sequential and
bitmap scans switched off, and the table's other indexes (all but the primary key, which none of
these reads can use) dropped. What is left is a scan of `evidence_live_covering`, and whether it
is an index-only scan or an index scan that visits the heap does not depend on costs: PostgreSQL
plans an index-only scan whenever the index holds every column the read needs, and only then.
(`enable_indexscan = off` does not serve here: on PostgreSQL 15 it switches off index-only scans
too.) docs/plans/evidence.md has the plans on a national data set."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection, transaction

from lms.competence.models import Evidence
from lms.competence.selectors import status as selectors
from lms.people.models import Person

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are read on PostgreSQL"
)
TODAY = dt.date(2026, 6, 15)
TABLE = "competence_evidence"
COVERING = "evidence_live_covering"


def _scans(plan: dict):
    """Every node of a plan (subplans included)."""
    yield plan
    for child in plan.get("Plans", ()):
        yield from _scans(child)


def evidence_scans(fn) -> list[list[tuple[str, str | None]]]:
    """For each query `fn` makes on the evidence table: (node type, index name) of each of its
    scans of the table, planned with only the covering index to read it by."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        if TABLE in sql:
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    result = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname NOT IN (%s, %s)",
            [TABLE, COVERING, f"{TABLE}_pkey"],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        for sql, params in seen:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            raw = cursor.fetchone()[0]
            plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
            result.append(
                [
                    (node["Node Type"], node.get("Index Name"))
                    for node in _scans(plan)
                    if node.get("Relation Name") == TABLE
                ]
            )
        # The indexes and the settings come back.
        transaction.set_rollback(True)
    return result


def assert_covered(queries: list[list[tuple[str, str | None]]], *, scans: int) -> None:
    assert len(queries) == 1, queries
    assert queries[0] == [("Index Only Scan", COVERING)] * scans, queries


@pytest.fixture
def ledger(required, teacher, signs, passing_on):
    for n, competence in enumerate((signs, passing_on)):
        Evidence.objects.create(
            person=teacher,
            competence=competence,
            source=Evidence.Source.MANUAL,
            source_reference=f"plan:{n}",
            achieved_on=dt.date(2025, 1, 1),
            expires_on=dt.date(2027, 1, 1),
        )
    return teacher


@postgres_only
@pytest.mark.postgres
def test_a_persons_status_is_an_index_only_scan(ledger):
    """The folded per-person read (Min side, Mine kompetencer, the course pages): both of its
    subqueries (evidence that never expires; the latest last valid day)."""
    queries = evidence_scans(
        lambda: selectors.competence_status_for_person(person=ledger, today=TODAY)
    )
    assert_covered(queries, scans=2)


@postgres_only
@pytest.mark.postgres
def test_the_team_pages_statuses_are_an_index_only_scan(ledger):
    queries = evidence_scans(
        lambda: selectors.competence_status_for_people(
            people=Person.objects.filter(pk=ledger.pk), today=TODAY
        )
    )
    assert_covered(queries, scans=1)


@postgres_only
@pytest.mark.postgres
def test_a_units_statuses_are_an_index_only_scan(ledger, tree):
    queries = evidence_scans(
        lambda: selectors.competence_status_for_subtree(unit=tree["HJ"], today=TODAY)
    )
    assert_covered(queries, scans=1)


@postgres_only
@pytest.mark.postgres
def test_a_read_that_is_not_covered_is_seen(ledger):
    """The check itself: a read of a column outside the index is an index scan of the heap."""
    queries = evidence_scans(
        lambda: list(
            Evidence.objects.filter(person=ledger, voided_at__isnull=True).values("source")
        )
    )
    assert queries == [[("Index Scan", COVERING)]], queries
