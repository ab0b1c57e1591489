"""The emails people get about their registrations: rendered in Danish, as text and HTML, with an
iCalendar part where their calendar should change. Called by the Celery tasks in
attendance.tasks, which take ids; every function here loads fresh rows and re-checks that the
mail still applies when it runs (a task may run late, after a later change), and sends nothing
otherwise.

Each mail goes to one person, the registration's, and carries only the meeting and that person's
own name: never anything about other people.

The reminder before a meeting is claimed by attendance.services.reminders and sent through
`registration_mail_send` here (attendance.emails.reminders).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attendance import access
from attendance.documents import calendar
from attendance.models import Meeting, Registration
from lms.mail import absolute_url, mail_send

logger = logging.getLogger(__name__)

R = Registration.Status
S = Meeting.Status
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Mail:
    template: str  # attendance/email/<template>.txt and .html
    subject: str  # an English msgid with %(title)s, marked with gettext_noop; translated when sent
    method: str | None = None  # iTIP method of the .ics part, if any


CONFIRMED = Mail("confirmed", gettext_noop("Registration confirmed: %(title)s"), calendar.REQUEST)
WAITLISTED = Mail("waitlisted", gettext_noop("You are on the waiting list: %(title)s"))
PROMOTED = Mail("promoted", gettext_noop("You have got a seat: %(title)s"), calendar.REQUEST)
CANCELLED = Mail("cancelled", gettext_noop("Registration cancelled: %(title)s"), calendar.CANCEL)
CHANGED = Mail("changed", gettext_noop("Meeting changed: %(title)s"), calendar.REQUEST)
CHANGED_WAITING = Mail("changed", gettext_noop("Meeting changed: %(title)s"))
MEETING_CANCELLED = Mail(
    "meeting_cancelled", gettext_noop("Meeting cancelled: %(title)s"), calendar.CANCEL
)
MEETING_CANCELLED_WAITING = Mail("meeting_cancelled", gettext_noop("Meeting cancelled: %(title)s"))


def meeting_url(meeting: Meeting) -> str:
    path = reverse("attendance:meeting_detail", kwargs={"pk": meeting.pk})
    return absolute_url(path)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, COPENHAGEN)


def _date(value: dt.datetime) -> str:
    # Danish style: "torsdag den 3. december 2026".
    return formats.date_format(_local(value), r"l \d\e\n j. F Y")


def _time(value: dt.datetime) -> str:
    # Danish style: "10.00".
    return formats.date_format(_local(value), "H.i")


def meeting_when(meeting: Meeting) -> str:
    """The meeting's time in Danish, Europe/Copenhagen: "torsdag den 3. december 2026 kl.
    10.00–12.00"."""
    start, end = meeting.starts_at, meeting.ends_at
    if _local(start).date() == _local(end).date():
        return _("%(date)s from %(start)s to %(end)s") % {
            "date": _date(start),
            "start": _time(start),
            "end": _time(end),
        }
    return _("%(start_date)s at %(start)s to %(end_date)s at %(end)s") % {
        "start_date": _date(start),
        "start": _time(start),
        "end_date": _date(end),
        "end": _time(end),
    }


def booked_by_name(registration: Registration) -> str:
    """Who booked the seat for the person, when someone else did (a colleague booking seats for
    staff): their roster name, else their account's name or address. Empty when the person
    signed up themselves or the system did it."""
    by = registration.created_by
    if by is None or registration.person.user_id == by.pk:
        return ""
    person = getattr(by, "person", None)
    return (person.name if person is not None else "") or by.get_full_name() or by.email


def _context(registration: Registration, *, now: dt.datetime) -> dict:
    meeting = registration.meeting
    deadline = access.cancellation_deadline(meeting)
    return {
        "name": registration.person.name,
        "booked_by": booked_by_name(registration),
        # Only a live registration can check in; the code is what the QR check-in asks for.
        "booking_code": (
            registration.booking_code
            if registration.status in Registration.LIVE and meeting.status == S.PUBLISHED
            else ""
        ),
        "meeting": meeting,
        "when": meeting_when(meeting),
        "url": meeting_url(meeting),
        "may_cancel": now < deadline,
        "cancel_until": _("%(date)s at %(time)s")
        % {"date": _date(deadline), "time": _time(deadline)},
        "confirmed": registration.status == R.CONFIRMED,
        "site_name": settings.WAGTAIL_SITE_NAME,
    }


def registration_mail_send(registration: Registration, mail: Mail) -> bool:
    """Render and send `mail` to the registration's person. False when there is no address
    (an anonymised person)."""
    to = registration.person.email
    if not to:
        return False
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        context = _context(registration, now=now)
        subject = _(mail.subject) % {"title": registration.meeting.title}
        text = render_to_string(f"attendance/email/{mail.template}.txt", context)
        html = render_to_string(f"attendance/email/{mail.template}.html", context)
        attachments = []
        if mail.method is not None:
            ics = calendar.calendar_build(
                registration=registration,
                method=mail.method,
                url=context["url"],
                description=registration.meeting.description,
                now=now,
            )
            attachments.append(calendar.calendar_attachment(ics, method=mail.method))
    mail_send(subject=subject, to=[to], text=text, html=html, attachments=attachments)
    return True


def registration_load(registration_id: int) -> Registration | None:
    registration = (
        Registration.objects.select_related("meeting", "person", "created_by__person")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        logger.info("registration %s is gone; no mail", registration_id)
    return registration


def confirmation_send(*, registration_id: int) -> bool:
    registration = registration_load(registration_id)
    if registration is None or registration.status != R.CONFIRMED:
        return False
    if registration.meeting.status != S.PUBLISHED:
        return False
    return registration_mail_send(registration, CONFIRMED)


def waitlisted_send(*, registration_id: int) -> bool:
    registration = registration_load(registration_id)
    if registration is None or registration.status != R.WAITING:
        return False
    if registration.meeting.status != S.PUBLISHED:
        return False
    return registration_mail_send(registration, WAITLISTED)


def promotion_send(*, registration_id: int) -> bool:
    registration = registration_load(registration_id)
    if registration is None or registration.status != R.CONFIRMED:
        return False
    if registration.meeting.status != S.PUBLISHED:
        return False
    return registration_mail_send(registration, PROMOTED)


def cancellation_send(*, registration_id: int) -> bool:
    registration = registration_load(registration_id)
    if registration is None or registration.status != R.CANCELLED:
        return False
    return registration_mail_send(registration, CANCELLED)


def meeting_recipient_ids(*, meeting_id: int) -> list[int]:
    """The live (confirmed or waiting) registrations of a meeting: who is told of a change."""
    return list(
        Registration.objects.filter(meeting_id=meeting_id, status__in=Registration.LIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def change_send(*, registration_id: int, sequence: int) -> bool:
    """Tell one person of a new time or place. A change that a later one has superseded
    (the meeting's sequence moved on) sends nothing: the later change sends its own mail."""
    registration = registration_load(registration_id)
    if registration is None or registration.status not in Registration.LIVE:
        return False
    meeting = registration.meeting
    if meeting.status != S.PUBLISHED or meeting.sequence != sequence:
        return False
    # Only a confirmed seat is in the person's calendar; the waiting list just hears of it.
    mail = CHANGED if registration.status == R.CONFIRMED else CHANGED_WAITING
    return registration_mail_send(registration, mail)


def meeting_cancellation_send(*, registration_id: int) -> bool:
    registration = registration_load(registration_id)
    if registration is None or registration.status not in Registration.LIVE:
        return False
    if registration.meeting.status != S.CANCELLED:
        return False
    mail = MEETING_CANCELLED if registration.status == R.CONFIRMED else MEETING_CANCELLED_WAITING
    return registration_mail_send(registration, mail)
