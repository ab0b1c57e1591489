"""Which registrations are due a reminder before their meeting (the hourly beat task asks)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from attendance.models import Meeting, Registration

R = Registration.Status
S = Meeting.Status


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
