"""The reminder people get before a meeting they have a seat at, sent by the hourly beat task
(attendance.tasks.send_due_reminders).

Reminders are sent at most once per registration: `reminder_send` claims the row with a
conditional UPDATE (reminder_sent_at IS NULL) before sending, so two beat runs, or two workers
running the same task, cannot both send it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from attendance.emails import reminders as reminder_emails
from attendance.emails.meetings import registration_load
from attendance.models import Meeting, Registration

__all__ = ["reminder_send"]

R = Registration.Status
S = Meeting.Status


def reminder_send(*, registration_id: int, now: dt.datetime | None = None) -> bool:
    """Send the reminder for one registration, once.

    The claim is an UPDATE whose WHERE names only this row's own columns, so that on PostgreSQL
    a second, concurrent claim waits for the first, re-checks `reminder_sent_at IS NULL` on the
    committed row and updates nothing; on SQLite writers are serialised anyway. If sending then
    fails, the claim is released so that the next run tries again."""
    now = now or timezone.now()
    registration = registration_load(registration_id)
    if registration is None:
        return False
    meeting = registration.meeting
    if meeting.status != S.PUBLISHED or meeting.starts_at <= now:
        return False
    claimed = Registration.objects.filter(
        pk=registration_id, status=R.CONFIRMED, reminder_sent_at__isnull=True
    ).update(reminder_sent_at=now)
    if not claimed:
        return False
    try:
        sent = reminder_emails.reminder_mail_send(registration)
    except Exception:
        Registration.objects.filter(pk=registration_id, reminder_sent_at=now).update(
            reminder_sent_at=None
        )
        raise
    return sent
