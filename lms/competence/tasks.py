"""Thin Celery tasks for recertification reminders: which are due is read from
lms.competence.selectors.reminders, each is sent by lms.competence.services.reminders."""

from celery import shared_task

from lms.competence.selectors import reminders as reminder_selectors
from lms.competence.services import reminders


@shared_task(name="lms.competence.send_expiry_reminders")
def send_expiry_reminders() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): one task per reminder that is due. Running twice enqueues
    twice; the ledger claim in reminders.reminder_send lets only one of them send."""
    due = reminder_selectors.reminders_due()
    for evidence_id, kind in due:
        send_expiry_reminder.delay(evidence_id, kind)
    return len(due)


@shared_task(name="lms.competence.send_expiry_reminder")
def send_expiry_reminder(evidence_id: int, kind: str) -> bool:
    return reminders.reminder_send(evidence_id=evidence_id, kind=str(kind))
