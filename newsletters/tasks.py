"""Thin Celery tasks of the send engine; the work is in newsletters.services.

The database is the truth: a task only says "work on this send now". Running one twice, or one
that the broker lost, does no harm: rows are claimed in the database (services.deliveries), and
the beat task `dispatch` enqueues again whatever made no progress for a while.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from newsletters.models import Send
from newsletters.services import deliveries as delivery_services
from newsletters.services import plans as plan_services
from newsletters.services import sends as send_services


def _queue(send_id: int) -> str:
    urgent = Send.objects.filter(pk=send_id, urgent=True).exists()
    return settings.NEWSLETTER_URGENT_QUEUE if urgent else settings.NEWSLETTER_QUEUE


@shared_task(name="newsletters.send_batch", acks_late=True)
def send_batch(send_id: int) -> int:
    """One batch over one SMTP connection; then the next batch, as a new task, while claimable
    rows remain (a short countdown when the rate limit is used up)."""
    result = delivery_services.deliveries_send_batch(send_id=send_id)
    if result.more:
        send_batch.apply_async(
            (send_id,), queue=_queue(send_id), countdown=result.wait_seconds or None
        )
    return result.sent


@shared_task(name="newsletters.dispatch")
def dispatch() -> dict:
    """Every minute (CELERY_BEAT_SCHEDULE): start the scheduled sends whose time has come, and
    enqueue again the sends whose claimable rows made no progress for a while."""
    started = send_services.sends_start_due()
    requeued = send_services.sends_requeue_stalled()
    return {"started": started, "requeued": requeued}


@shared_task(name="newsletters.send_plan_reminders")
def send_plan_reminders() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): remind each Infohus's coordinators, once per due date,
    that the next edition is due and no send is scheduled for its half-year."""
    return len(plan_services.edition_reminders_send())
