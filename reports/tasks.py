"""Thin Celery tasks; the work is in reports.services."""

from __future__ import annotations

from celery import shared_task

from reports.services.coverage import coverage_refresh
from reports.services.trend import trend_refresh


@shared_task(name="reports.coverage_refresh")
def refresh_coverage() -> int:
    """Every few minutes (CELERY_BEAT_SCHEDULE): the whole aggregate, recomputed, and the trend's
    current half-year (and any ended one not yet final). Running it twice does no harm: each run
    replaces the rows under a lock."""
    written = coverage_refresh()
    trend_refresh()
    return written


@shared_task(name="reports.halfyear_reports_due")
def halfyear_reports_due() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): build and offer the half-year report of every steering
    group meeting due; once per meeting (the service claims each meeting)."""
    from reports.services.halfyear import halfyear_reports_due as due

    return len(due())
