"""The status reads are answered from the partial covering index on live evidence alone (an
index-only scan on PostgreSQL): every column they read is in it, and they read live evidence only.

What is checked is that the index covers each read, not which plan the planner would pick on a
test-sized table after other tests' statistics: tests.plans explains each read with every other
way to read the table taken away. What is left is a scan of `evidence_live_covering`, and
PostgreSQL plans an index-only scan whenever the index holds every column the read needs, and
only then. docs/plans/evidence.md has the plans on a national data set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from lms.competence.models import Evidence
from lms.competence.selectors import status as selectors
from lms.people.models import Person
from tests.plans import plans_with_only

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are read on PostgreSQL"
)
TODAY = dt.date(2026, 6, 15)
TABLE = "competence_evidence"
COVERING = "evidence_live_covering"


def evidence_scans(fn) -> list[list[tuple[str, str | None]]]:
    """For each query `fn` makes on the evidence table: (node type, index name) of each of its
    scans of the table, planned with only the covering index to read it by (tests.plans)."""
    return [scans for _sql, scans in plans_with_only(fn, table=TABLE, index=COVERING)]


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
