"""Thin Celery tasks for the roster; the work is in lms.people.services."""

from celery import shared_task
from django.utils import timezone

from lms import importflow
from lms.people import services


@shared_task(name="lms.people.anonymise_expired_people")
def anonymise_expired_people() -> int:
    """Daily: anonymise people who left more than LMS_PERSON_RETENTION_DAYS ago.

    Safe to run twice (the service skips rows already anonymised), so acks_late is harmless.
    """
    return services.people_anonymise_expired(today=timezone.localdate())


@shared_task(name="lms.people.delete_stale_import_files")
def delete_stale_import_files() -> int:
    """Hourly: delete uploaded rosters whose preview was abandoned more than a day ago."""
    return importflow.import_files_delete_stale()
