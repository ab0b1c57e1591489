"""iCalendar (RFC 5545 / iTIP RFC 5546) invitations and cancellations for meeting emails.

One event per meeting: its UID never changes, so a calendar replaces the entry instead of adding
a second one. Times are written in UTC ("Z"), which Outlook, Google and Apple import without a
VTIMEZONE and show in the reader's own zone.

SEQUENCE must grow with every message a person's calendar receives about the event, or clients
ignore the later message as outdated. The meeting's own `sequence` grows with each change of time
or place and with its cancellation. A person may also cancel and sign up again; each of their
earlier cancellations therefore adds two (one for the CANCEL, one for the new REQUEST), so that
the numbers one person sees only ever rise, and the same registration always gets the same number
(a task that runs twice sends an identical message).
"""

from __future__ import annotations

import datetime as dt
from email.mime.text import MIMEText
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from attendance.models import Meeting, Registration

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//Infohus//Infohus LMS//DA"


def meeting_uid(meeting: Meeting) -> str:
    host = urlsplit(settings.LMS_BASE_URL).hostname or "localhost"
    return f"meeting-{meeting.pk}@{host}"


def registration_sequence(registration: Registration, *, method: str) -> int:
    """The SEQUENCE of a REQUEST or CANCEL about this registration (see the module docstring)."""
    earlier_cancellations = Registration.objects.filter(
        meeting_id=registration.meeting_id,
        person_id=registration.person_id,
        status=Registration.Status.CANCELLED,
        pk__lt=registration.pk,
    ).count()
    sequence = registration.meeting.sequence + 2 * earlier_cancellations
    own_cancellation = (
        method == CANCEL
        and registration.status == Registration.Status.CANCELLED
        and registration.meeting.status != Meeting.Status.CANCELLED
    )
    # A registration cancelled while the meeting goes on raises the number by one; when the
    # meeting itself is cancelled its own sequence has already been raised.
    return sequence + 1 if own_cancellation else sequence


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = vText(name or "Infohus")
    return organizer


def _attendee(registration: Registration, *, method: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{registration.person.email}")
    attendee.params["CN"] = vText(registration.person.name)
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    # They signed up themselves (or were booked): nothing to answer, so no RSVP buttons.
    attendee.params["PARTSTAT"] = "DECLINED" if method == CANCEL else "ACCEPTED"
    attendee.params["RSVP"] = "FALSE"
    return attendee


def meeting_location(meeting: Meeting) -> str:
    return ", ".join(part for part in (meeting.venue, meeting.online_url) if part)


def calendar_build(
    *,
    registration: Registration,
    method: str,
    url: str,
    description: str = "",
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics text of a METHOD:REQUEST or METHOD:CANCEL for this person's registration."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown iTIP method {method!r}")
    meeting = registration.meeting
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", registration_sequence(registration, method=method))
    event.add("dtstamp", (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC))
    event.add("dtstart", meeting.starts_at.astimezone(dt.UTC))
    event.add("dtend", meeting.ends_at.astimezone(dt.UTC))
    event.add("summary", meeting.title)
    location = meeting_location(meeting)
    if location:
        event.add("location", location)
    code = ""
    if method == REQUEST and registration.booking_code:
        # Check-in without an account asks for it; the invitation is where people look first.
        code = _("Booking code for checking in: %(code)s") % {"code": registration.booking_code}
    event.add("description", "\n\n".join(part for part in (description, code, url) if part))
    event.add("url", url)
    event.add("organizer", _organizer())
    event.add("attendee", _attendee(registration, method=method))
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


def calendar_attachment(ics: bytes, *, method: str) -> MIMEText:
    """The .ics as a MIME part: text/calendar with the iTIP method in the content type, which
    Outlook needs to treat it as an invitation rather than a plain file."""
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    filename = "invitation.ics" if method == REQUEST else "cancellation.ics"
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part
