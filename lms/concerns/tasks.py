"""Thin Celery tasks for the concern mails; the work is in lms.concerns.emails.intake."""

from celery import shared_task

from lms.concerns.emails import intake as emails


@shared_task(name="lms.concerns.send_concern_received")
def send_concern_received(concern_id: int) -> int:
    ids = emails.recipient_ids(concern_id=concern_id)
    for user_id in ids:
        send_concern_notice.delay(concern_id, user_id)
    return len(ids)


@shared_task(name="lms.concerns.send_concern_notice")
def send_concern_notice(concern_id: int, user_id: int) -> bool:
    return emails.notice_send(concern_id=concern_id, user_id=user_id)


@shared_task(name="lms.concerns.send_concern_receipt")
def send_concern_receipt(concern_id: int) -> bool:
    return emails.receipt_send(concern_id=concern_id)


@shared_task(name="lms.concerns.erase_closed_concerns")
def erase_closed_concerns() -> int:
    """Daily: erase the text and names of cases closed longer ago than the period."""
    from lms.concerns.services.erasure import concerns_erase_due

    return concerns_erase_due()


@shared_task(name="lms.concerns.send_deadline_reminders")
def send_deadline_reminders() -> int:
    """Daily: remind those who receive a case once its acknowledgement or feedback is due."""
    from lms.concerns.services.reminders import concern_reminders_send

    return len(concern_reminders_send())
