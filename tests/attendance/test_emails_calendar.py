"""The iCalendar builder on its own: SEQUENCE per person, methods, the MIME part."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar

from attendance import services
from attendance.documents import calendar
from attendance.models import Registration


@pytest.fixture
def meeting(tree, make_meeting):
    return make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=3)


def build(registration, method):
    ics = calendar.calendar_build(registration=registration, method=method, url="https://x/m/1/")
    cal = Calendar.from_ical(ics)
    [event] = cal.walk("VEVENT")
    return cal, event


def test_sequence_only_rises_for_one_person(meeting, make_employee, tree):
    person = make_employee(tree["HJ-SKOLE"])
    seen = []
    for _ in range(3):
        registration = services.registration_create(meeting=meeting, person=person, by=None)
        registration.meeting.refresh_from_db()
        seen.append(build(registration, calendar.REQUEST)[1]["SEQUENCE"])
        registration = services.registration_cancel(registration=registration, by=None)
        seen.append(build(registration, calendar.CANCEL)[1]["SEQUENCE"])
    assert seen == sorted(seen)
    assert len(set(seen)) == len(seen)
    # The same message built twice (a task run twice) carries the same number.
    assert build(registration, calendar.CANCEL)[1]["SEQUENCE"] == seen[-1]


def test_other_people_do_not_move_my_sequence(meeting, make_employee, tree):
    me, other = make_employee(tree["HJ-SKOLE"]), make_employee(tree["HJ-SKOLE"])
    theirs = services.registration_create(meeting=meeting, person=other, by=None)
    services.registration_cancel(registration=theirs, by=None)
    mine = services.registration_create(meeting=meeting, person=me, by=None)
    mine.meeting.refresh_from_db()
    assert build(mine, calendar.REQUEST)[1]["SEQUENCE"] == mine.meeting.sequence


def test_request_and_cancel_content(meeting, make_employee, tree):
    person = make_employee(tree["HJ-SKOLE"], name="Søren Ørsted")
    registration = services.registration_create(meeting=meeting, person=person, by=None)
    cal, event = build(registration, calendar.REQUEST)
    assert cal["METHOD"] == "REQUEST"
    assert cal["VERSION"] == "2.0"
    assert event["ATTENDEE"].params["CN"] == "Søren Ørsted"
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert event["ORGANIZER"].params["CN"] == "Infohus"
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTSTAMP").utcoffset() == dt.timedelta(0)
    assert str(event["URL"]) == "https://x/m/1/"
    registration = services.registration_cancel(registration=registration, by=None)
    cal, event = build(registration, calendar.CANCEL)
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"


def test_unknown_method_is_refused(meeting, make_employee, tree):
    person = make_employee(tree["HJ-SKOLE"])
    registration = services.registration_create(meeting=meeting, person=person, by=None)
    with pytest.raises(ValueError):
        calendar.calendar_build(registration=registration, method="PUBLISH", url="x")


def test_mime_part_names_the_method():
    part = calendar.calendar_attachment(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", method="CANCEL")
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "CANCEL"
    assert part.get_param("charset") == "utf-8"
    assert part.get_filename() == "cancellation.ics"


def test_uid_uses_the_site_host(meeting, settings):
    settings.LMS_BASE_URL = "https://lms.hjoerring.dk"
    assert calendar.meeting_uid(meeting) == f"meeting-{meeting.pk}@lms.hjoerring.dk"
    assert Registration.objects.count() == 0
