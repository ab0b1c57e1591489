"""The reminder mail before a meeting (sent by attendance.services.reminders, which claims the
registration first so that it goes out once)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from attendance.emails.meetings import Mail, registration_mail_send
from attendance.models import Registration

REMINDER = Mail("reminder", gettext_noop("Reminder: %(title)s"))


def reminder_mail_send(registration: Registration) -> bool:
    return registration_mail_send(registration, REMINDER)
