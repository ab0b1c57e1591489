"""Thin Celery tasks; the work is in reports.services."""

from __future__ import annotations

from celery import shared_task

from reports.services.coverage import coverage_refresh


@shared_task(name="reports.coverage_refresh")
def refresh_coverage() -> int:
    """Every few minutes (CELERY_BEAT_SCHEDULE): the whole aggregate, recomputed. Running it
    twice does no harm: each run replaces the rows under a lock."""
    return coverage_refresh()
