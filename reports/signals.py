"""Keeps the coverage aggregate close behind the evidence ledger: every write to the ledger
(lms.competence's Evidence: recorded, voided, an attachment added) asks for a refresh once its
transaction commits, and the refreshes asked for within DEBOUNCE_SECONDS make one task run, queued
DEBOUNCE_SECONDS later. Never a refresh inside the request that wrote the evidence: an import of
thousands of rows asks once. The beat task stays as the backstop (CELERY_BEAT_SCHEDULE).

Connected in ReportsConfig.ready(): the core (lms.competence) names no feature.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

DEBOUNCE_SECONDS = 60
_KEY = "reports:coverage:refresh-queued"


def refresh_soon() -> bool:
    """Queue one refresh of the whole aggregate unless one is queued already; True when queued.
    cache.add is atomic: of two workers asking at once, one queues. Without a worker (Celery
    eager, as in the tests) nothing is queued: a debounced task would run at once, inside the
    commit of whatever wrote the evidence."""
    from celery import current_app

    from reports.tasks import refresh_coverage

    if current_app.conf.task_always_eager:
        return False
    if not cache.add(_KEY, 1, DEBOUNCE_SECONDS):
        return False
    refresh_coverage.apply_async(countdown=DEBOUNCE_SECONDS)
    return True


def evidence_written(sender, **kwargs) -> None:
    transaction.on_commit(refresh_soon)


def connect() -> None:
    from lms.competence.models import Evidence

    post_save.connect(evidence_written, sender=Evidence, dispatch_uid="reports.evidence_saved")
    post_delete.connect(evidence_written, sender=Evidence, dispatch_uid="reports.evidence_deleted")
