"""Thin Celery tasks for meeting emails; the work is in attendance.emails (meetings, reminders,
requests).

They take ids and are enqueued after commit by attendance.notifications (meetings, requests). Each
mail function re-reads the rows and sends nothing when the mail no longer applies, and reminders
are claimed in the database before sending, so a task that runs twice (acks_late) does no harm
where it matters. The mails of a registration keep no result (nobody reads it): enqueueing one
then skips the result backend (with Redis, a subscription per task: about a fifth of the CPU of
`delay()` in the web process that signs someone up), and the worker stores no result.
Meeting-wide mails fan out into one task per registration, so that one bad address does not stop
the rest and a retry repeats only what failed.
"""

from celery import shared_task

from attendance import services
from attendance.emails import meetings as emails
from attendance.selectors import reminders as reminder_selectors


@shared_task(name="attendance.send_confirmation", ignore_result=True)
def send_confirmation(registration_id: int) -> bool:
    return emails.confirmation_send(registration_id=registration_id)


@shared_task(name="attendance.send_waitlisted", ignore_result=True)
def send_waitlisted(registration_id: int) -> bool:
    return emails.waitlisted_send(registration_id=registration_id)


@shared_task(name="attendance.send_promotion", ignore_result=True)
def send_promotion(registration_id: int) -> bool:
    return emails.promotion_send(registration_id=registration_id)


@shared_task(name="attendance.send_cancellation", ignore_result=True)
def send_cancellation(registration_id: int) -> bool:
    return emails.cancellation_send(registration_id=registration_id)


@shared_task(name="attendance.send_meeting_changed")
def send_meeting_changed(meeting_id: int, sequence: int) -> int:
    ids = emails.meeting_recipient_ids(meeting_id=meeting_id)
    for registration_id in ids:
        send_change.delay(registration_id, sequence)
    return len(ids)


@shared_task(name="attendance.send_change")
def send_change(registration_id: int, sequence: int) -> bool:
    return emails.change_send(registration_id=registration_id, sequence=sequence)


@shared_task(name="attendance.send_meeting_cancelled")
def send_meeting_cancelled(meeting_id: int) -> int:
    ids = emails.meeting_recipient_ids(meeting_id=meeting_id)
    for registration_id in ids:
        send_meeting_cancellation.delay(registration_id)
    return len(ids)


@shared_task(name="attendance.send_meeting_cancellation")
def send_meeting_cancellation(registration_id: int) -> bool:
    return emails.meeting_cancellation_send(registration_id=registration_id)


@shared_task(name="attendance.send_due_reminders")
def send_due_reminders() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): one reminder task per registration that is due. Running
    twice enqueues twice; the claim in services.reminder_send lets only one of them send."""
    ids = reminder_selectors.reminders_due()
    for registration_id in ids:
        send_reminder.delay(registration_id)
    return len(ids)


@shared_task(name="attendance.send_reminder")
def send_reminder(registration_id: int) -> bool:
    return services.reminder_send(registration_id=registration_id)


@shared_task(name="attendance.send_request_submitted")
def send_request_submitted(request_id: int) -> int:
    """A new request: one task per coordinator who may answer it."""
    from attendance.emails import requests as request_emails

    ids = request_emails.answerer_ids(request_id=request_id)
    for user_id in ids:
        send_request_submitted_to.delay(request_id, user_id)
    return len(ids)


@shared_task(name="attendance.send_request_submitted_to")
def send_request_submitted_to(request_id: int, user_id: int) -> bool:
    from attendance.emails import requests as request_emails

    return request_emails.submitted_send(request_id=request_id, user_id=user_id)


@shared_task(name="attendance.send_request_answered")
def send_request_answered(request_id: int, status: str) -> bool:
    from attendance.emails import requests as request_emails

    return request_emails.answered_send(request_id=request_id, status=status)


@shared_task(name="attendance.send_request_proposal_answered")
def send_request_proposal_answered(request_id: int, accepted: bool) -> bool:
    from attendance.emails import requests as request_emails

    return request_emails.proposal_answered_send(request_id=request_id, accepted=accepted)
