"""A write to the evidence ledger queues one refresh of the coverage aggregate after its commit,
debounced; the refresh itself brings the aggregate up to date."""

from unittest import mock

import pytest

from lms.competence.services import evidence as evidence_services
from reports import signals
from reports.models import CoverageCell
from tests.reports.builders import TODAY


@pytest.fixture
def queued(cache_fresh, monkeypatch):
    """As with a worker: Celery not eager, the task's queueing recorded."""
    from celery import current_app

    monkeypatch.setitem(current_app.conf, "task_always_eager", False)
    with mock.patch("reports.tasks.refresh_coverage.apply_async") as apply_async:
        yield apply_async


def test_nothing_is_queued_before_the_commit(coverage_data, queued):
    people = coverage_data["people"]
    evidence_services.evidence_record(
        person=people["t9"],
        competence=coverage_data["competences"]["signs"],
        achieved_on=TODAY,
        source="manual",
        source_reference="t9",
    )
    # The test's transaction never commits.
    queued.assert_not_called()


def test_writes_in_a_row_queue_one_refresh_after_their_commit(
    coverage_data, queued, django_capture_on_commit_callbacks
):
    people = coverage_data["people"]
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("t8", "t9"):
            evidence_services.evidence_record(
                person=people[key],
                competence=coverage_data["competences"]["signs"],
                achieved_on=TODAY,
                source="manual",
                source_reference=key,
            )
    queued.assert_called_once_with(countdown=signals.DEBOUNCE_SECONDS)


def test_the_queued_task_brings_the_aggregate_up_to_date(coverage_data, queued):
    from reports.tasks import refresh_coverage

    assert signals.refresh_soon() is True
    assert signals.refresh_soon() is False
    assert queued.call_count == 1
    assert not CoverageCell.objects.exists()
    refresh_coverage()
    assert CoverageCell.objects.exists()


def test_without_a_worker_nothing_is_queued(coverage_data, cache_fresh):
    # Celery eager (the tests' settings): a debounced task would run inside the commit.
    with mock.patch("reports.tasks.refresh_coverage.apply_async") as apply_async:
        assert signals.refresh_soon() is False
    apply_async.assert_not_called()
