"""The reminder people get before a meeting they have a seat at, sent by the hourly beat task
(attendance.tasks.send_due_reminders) through attendance.emails.meetings' mail.

Reminders are sent at most once per registration: `reminder_send` claims the row with a
conditional UPDATE (reminder_sent_at IS NULL) before sending, so two beat runs, or two workers
running the same task, cannot both send it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from attendance.emails.meetings import Mail, registration_load, registration_mail_send
from attendance.models import Meeting, Registration

R = Registration.Status
S = Meeting.Status

REMINDER = Mail("reminder", gettext_noop("Reminder: %(title)s"))


def reminder_days(meeting: Meeting) -> int:
    if meeting.reminder_days is not None:
        return meeting.reminder_days
    return settings.LMS_MEETING_REMINDER_DAYS


def reminders_due(*, now: dt.datetime | None = None) -> list[int]:
    """Ids of confirmed registrations of published meetings that start within their reminder
    window and have not had a reminder.

    People who got their seat inside the window have just had their confirmation or promotion
    mail, so they get no reminder on top of it."""
    now = now or timezone.now()
    overrides = Meeting.objects.filter(status=S.PUBLISHED, starts_at__gt=now).aggregate(
        longest=Max("reminder_days")
    )
    longest = max(settings.LMS_MEETING_REMINDER_DAYS, overrides["longest"] or 0)
    window_opens = {}
    for meeting in Meeting.objects.filter(
        status=S.PUBLISHED, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=longest)
    ).only("pk", "starts_at", "reminder_days"):
        opens = meeting.starts_at - dt.timedelta(days=reminder_days(meeting))
        if opens <= now:
            window_opens[meeting.pk] = opens
    if not window_opens:
        return []
    due: list[int] = []
    for pk, meeting_id, created_at, promoted_at in (
        Registration.objects.filter(
            meeting_id__in=window_opens, status=R.CONFIRMED, reminder_sent_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", "meeting_id", "created_at", "promoted_at")
    ):
        if (promoted_at or created_at) < window_opens[meeting_id]:
            due.append(pk)
    return due


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
        sent = registration_mail_send(registration, REMINDER)
    except Exception:
        Registration.objects.filter(pk=registration_id, reminder_sent_at=now).update(
            reminder_sent_at=None
        )
        raise
    return sent
