"""Meeting emails: Danish text and HTML, sent by Celery after commit, with iCalendar parts."""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parseaddr
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from icalendar import Calendar
from kombu.exceptions import OperationalError

from attendance import services, tasks
from attendance.emails import meetings as emails
from attendance.models import Meeting, Registration
from attendance.notifications import meetings as notifications

R = Registration.Status
CPH = ZoneInfo("Europe/Copenhagen")
# A Thursday in winter time (UTC+1), far enough ahead to stay in the future.
START = dt.datetime(2030, 3, 7, 10, 0, tzinfo=CPH)


@pytest.fixture
def meeting(tree, make_meeting):
    draft = make_meeting(
        tree["HJ"],
        audience=[tree["HJ"]],
        capacity=2,
        publish=False,
        title="Informationsmøde om bekymringstegn",
        description="Om tegn på mistrivsel og radikalisering.",
    )
    services.meeting_update(meeting=draft, starts_at=START, ends_at=START + dt.timedelta(hours=2))
    return services.meeting_publish(meeting=draft, by=None)


@pytest.fixture
def people(tree, make_employee):
    return [make_employee(tree["HJ-SKOLE"], name=f"Medarbejder {n}") for n in range(4)]


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (and so the eager Celery tasks) of what happens inside."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sign_up(meeting, person):
    return services.registration_create(meeting=meeting, person=person, by=person.user)


def cancel(registration):
    person = registration.person
    return services.registration_cancel(registration=registration, by=person.user)


def calendar_parts(message):
    """[(content type header, parsed Calendar)] of the message's text/calendar parts."""
    parts = []
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            parts.append((part["Content-Type"], Calendar.from_ical(part.get_payload(decode=True))))
    return parts


def only_event(message):
    [(content_type, cal)] = calendar_parts(message)
    [event] = cal.walk("VEVENT")
    return content_type, cal, event


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_confirmation_mail(meeting, people, on_commit):
    person = people[0]
    with on_commit():
        sign_up(meeting, person)
    [message] = mail.outbox
    assert message.to == [person.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Tilmelding bekræftet: Informationsmøde om bekymringstegn"
    url = f"{settings.LMS_BASE_URL}/moeder/{meeting.pk}/"
    body = message.body
    assert f"Kære {person.name}," in body
    assert "Du er tilmeldt mødet nedenfor. Kalenderinvitationen er vedhæftet." in body
    assert "Tidspunkt: torsdag den 7. marts 2030 kl. 10.00–12.00" in body
    assert "Sted: Rådhuset, mødelokale 1" in body
    assert f"Mødesiden: {url}" in body
    assert "afmeld dig på mødesiden senest onsdag den 6. marts 2030 kl. 10.00" in body
    assert "Venlig hilsen" in body
    assert "&" not in body  # plain text is not HTML-escaped
    html = html_of(message)
    assert '<html lang="da">' in html
    assert f'<a href="{url}"' in html
    assert "Gå til mødesiden" in html
    assert "torsdag den 7. marts 2030 kl. 10.00–12.00" in html

    content_type, cal, event = only_event(message)
    assert content_type.startswith("text/calendar")
    assert 'method="REQUEST"' in content_type or "method=REQUEST" in content_type
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    assert event["SEQUENCE"] == meeting.sequence
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == START.astimezone(dt.UTC)
    assert event.decoded("DTSTART").tzinfo is not None
    assert b"DTSTART:20300307T090000Z" in cal.to_ical()
    assert event.decoded("DTEND") == (START + dt.timedelta(hours=2)).astimezone(dt.UTC)
    assert str(event["SUMMARY"]) == meeting.title
    assert str(event["LOCATION"]) == "Rådhuset, mødelokale 1"
    assert url in str(event["DESCRIPTION"])
    assert "Om tegn på mistrivsel" in str(event["DESCRIPTION"])
    assert str(event["ORGANIZER"]) == f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}"
    assert str(event["ATTENDEE"]) == f"mailto:{person.email}"


def test_waiting_list_mail_has_no_invitation(meeting, people, on_commit):
    with on_commit():
        for person in people[:3]:
            sign_up(meeting, person)
    assert len(mail.outbox) == 3
    message = mail.outbox[2]
    assert message.to == [people[2].email]
    assert message.subject == "Du er på ventelisten: Informationsmøde om bekymringstegn"
    assert "Mødet nedenfor er fuldt booket, så du står på ventelisten." in message.body
    assert "meld dig af ventelisten på mødesiden senest" in message.body
    assert "ventelisten" in html_of(message)
    assert calendar_parts(message) == []


def test_cancellation_and_promotion_mails(meeting, people, on_commit):
    with on_commit():
        first, _second, waiting = (sign_up(meeting, p) for p in people[:3])
    mail.outbox.clear()
    with on_commit():
        cancel(first)
    cancelled, promoted = sorted(mail.outbox, key=lambda m: m.to != [people[0].email])
    assert cancelled.to == [people[0].email]
    assert cancelled.subject == "Afmelding bekræftet: Informationsmøde om bekymringstegn"
    assert "Du er nu afmeldt mødet nedenfor." in cancelled.body
    content_type, cal, event = only_event(cancelled)
    assert "CANCEL" in content_type
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    # Above the invitation's, so that calendars accept it.
    assert event["SEQUENCE"] == meeting.sequence + 1

    assert promoted.to == [people[2].email]
    assert promoted.subject == "Du har fået en plads: Informationsmøde om bekymringstegn"
    assert "Godt nyt: Der er blevet en plads ledig" in promoted.body
    _, cal, event = only_event(promoted)
    assert cal["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] == meeting.sequence
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    waiting.refresh_from_db()
    assert waiting.status == R.CONFIRMED


def test_no_one_else_s_personal_data_in_mails(meeting, people, on_commit):
    with on_commit():
        regs = [sign_up(meeting, p) for p in people[:3]]
    with on_commit():
        cancel(regs[0])
    assert len(mail.outbox) == 5
    for message in mail.outbox:
        [recipient] = message.to
        text = message.body + html_of(message) + message.message().as_string()
        for other in people:
            if other.email != recipient:
                assert other.email not in text
                assert other.name not in text


def test_resignup_after_cancellation_raises_the_sequence(meeting, people, on_commit):
    person = people[0]
    with on_commit():
        registration = sign_up(meeting, person)
    with on_commit():
        cancel(registration)
    with on_commit():
        sign_up(meeting, person)
    sequences = [(only_event(m)[1]["METHOD"], only_event(m)[2]["SEQUENCE"]) for m in mail.outbox]
    base = meeting.sequence
    assert sequences == [("REQUEST", base), ("CANCEL", base + 1), ("REQUEST", base + 2)]
    assert len({str(only_event(m)[2]["UID"]) for m in mail.outbox}) == 1


def test_change_of_place_and_time(meeting, people, on_commit):
    with on_commit():
        for person in people[:3]:
            sign_up(meeting, person)
    mail.outbox.clear()
    base = meeting.sequence
    with on_commit():
        services.meeting_update(meeting=meeting, venue="Biblioteket, sal 2")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people[:3])
    by_person = {m.to[0]: m for m in mail.outbox}
    confirmed = by_person[people[0].email]
    assert confirmed.subject == "Mødet er ændret: Informationsmøde om bekymringstegn"
    assert "Mødet nedenfor er blevet ændret. Her er de gældende oplysninger:" in confirmed.body
    assert "Sted: Biblioteket, sal 2" in confirmed.body
    assert "opdaterer aftalen i din kalender" in confirmed.body
    _, cal, event = only_event(confirmed)
    assert cal["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] == base + 1
    assert str(event["LOCATION"]) == "Biblioteket, sal 2"
    waiting = by_person[people[2].email]
    assert "Du står stadig på ventelisten." in waiting.body
    assert calendar_parts(waiting) == []

    mail.outbox.clear()
    later = START + dt.timedelta(days=1, hours=3)
    meeting.refresh_from_db()
    with on_commit():
        services.meeting_update(
            meeting=meeting, starts_at=later, ends_at=later + dt.timedelta(hours=1)
        )
    confirmed = next(m for m in mail.outbox if m.to == [people[1].email])
    assert "fredag den 8. marts 2030 kl. 13.00–14.00" in confirmed.body
    _, _, event = only_event(confirmed)
    assert event["SEQUENCE"] == base + 2
    assert event.decoded("DTSTART") == later.astimezone(dt.UTC)


def test_change_that_does_not_move_the_event_sends_nothing(meeting, people, on_commit):
    with on_commit():
        sign_up(meeting, people[0])
    mail.outbox.clear()
    with on_commit():
        services.meeting_update(meeting=meeting, capacity=5)
    assert mail.outbox == []


def test_superseded_change_sends_nothing(meeting, people, on_commit):
    with on_commit():
        registration = sign_up(meeting, people[0])
    first = services.meeting_update(meeting=meeting, venue="Biblioteket").sequence
    second = services.meeting_update(meeting=meeting, venue="Kulturhuset").sequence
    assert second > first
    mail.outbox.clear()
    # The task for the first change runs late, after the second: it must not send old news.
    assert emails.change_send(registration_id=registration.pk, sequence=first) is False
    assert emails.change_send(registration_id=registration.pk, sequence=second) is True
    [message] = mail.outbox
    assert "Kulturhuset" in message.body


def test_meeting_cancellation(meeting, people, on_commit):
    with on_commit():
        regs = [sign_up(meeting, p) for p in people[:3]]
        cancel(regs[1])
    mail.outbox.clear()
    meeting.refresh_from_db()
    with on_commit():
        services.meeting_cancel(meeting=meeting, reason="Oplægsholderen er forhindret.")
    meeting.refresh_from_db()
    # The one who cancelled earlier is not told again.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people[0].email, people[2].email])
    by_person = {m.to[0]: m for m in mail.outbox}
    message = by_person[people[0].email]
    assert message.subject == "Mødet er aflyst: Informationsmøde om bekymringstegn"
    assert "Desværre er mødet nedenfor aflyst." in message.body
    assert "Begrundelse: Oplægsholderen er forhindret." in message.body
    assert "aflyst" in html_of(message)
    content_type, cal, event = only_event(message)
    assert "CANCEL" in content_type
    assert cal["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == meeting.sequence
    assert event["SEQUENCE"] > 0
    assert str(event["UID"]) == f"meeting-{meeting.pk}@127.0.0.1"
    # people[2] was promoted into the seat people[1] freed, so it is in their calendar too.
    assert only_event(by_person[people[2].email])[1]["METHOD"] == "CANCEL"


def test_meeting_cancellation_to_waiting_list_has_no_calendar_part(meeting, people, on_commit):
    with on_commit():
        for person in people[:3]:
            sign_up(meeting, person)
    mail.outbox.clear()
    meeting.refresh_from_db()
    with on_commit():
        services.meeting_cancel(meeting=meeting, reason="Aflyst.")
    waiting = next(m for m in mail.outbox if m.to == [people[2].email])
    assert "Desværre er mødet nedenfor aflyst." in waiting.body
    assert calendar_parts(waiting) == []


def test_online_meeting(tree, make_meeting, people, on_commit):
    meeting = make_meeting(
        tree["HJ"], audience=[tree["HJ"]], venue="", online_url="https://teams.example.dk/m/1"
    )
    with on_commit():
        sign_up(meeting, people[0])
    [message] = mail.outbox
    assert "Link til onlinemøde: https://teams.example.dk/m/1" in message.body
    assert "Sted:" not in message.body
    assert '<a href="https://teams.example.dk/m/1"' in html_of(message)
    _, _, event = only_event(message)
    assert str(event["LOCATION"]) == "https://teams.example.dk/m/1"


def test_mail_is_sent_only_after_commit(meeting, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sign_up(meeting, people[0])
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_rolled_back_sign_up_sends_nothing(meeting, people, on_commit):
    with on_commit(), pytest.raises(RuntimeError):
        with transaction.atomic():
            sign_up(meeting, people[0])
            raise RuntimeError("something later in the same request failed")
    assert mail.outbox == []
    assert not Registration.objects.filter(person=people[0]).exists()


def test_refused_sign_up_sends_nothing(tree, make_meeting, make_employee, on_commit):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    outsider = make_employee(tree["FR-SKOLE"])
    from django.core.exceptions import ValidationError

    with on_commit(), pytest.raises(ValidationError):
        sign_up(meeting, outsider)
    assert mail.outbox == []


def test_task_for_a_stale_state_sends_nothing(meeting, people, on_commit):
    with on_commit():
        registration = sign_up(meeting, people[0])
    mail.outbox.clear()
    cancel(registration)  # no on_commit here: the cancellation mail is not sent
    # A confirmation task that runs late, after the cancellation, must not invite them.
    assert tasks.send_confirmation.delay(registration.pk).get(disable_sync_subtasks=False) is False
    assert tasks.send_promotion.delay(registration.pk).get(disable_sync_subtasks=False) is False
    assert tasks.send_confirmation.delay(999_999).get(disable_sync_subtasks=False) is False
    assert mail.outbox == []


def test_person_without_address_gets_nothing(meeting, people, on_commit):
    person = people[0]
    with on_commit():
        registration = sign_up(meeting, person)
    mail.outbox.clear()
    type(person).objects.filter(pk=person.pk).update(email="")
    assert emails.confirmation_send(registration_id=registration.pk) is False
    assert mail.outbox == []


def test_broker_down_does_not_break_the_committed_sign_up(
    meeting, people, on_commit, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise OperationalError("broker unreachable")

    monkeypatch.setattr(tasks.send_confirmation, "delay", refuse)
    with caplog.at_level(logging.ERROR, logger="attendance.notifications.meetings"), on_commit():
        registration = sign_up(meeting, people[0])
    assert registration.status == R.CONFIRMED
    assert mail.outbox == []
    assert "could not enqueue attendance.send_confirmation" in caplog.text


def test_notifications_enqueue_tasks_with_ids(monkeypatch):
    calls = []
    for name in (
        "send_confirmation",
        "send_waitlisted",
        "send_promotion",
        "send_cancellation",
        "send_meeting_changed",
        "send_meeting_cancelled",
    ):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda *a, _n=name: calls.append((_n, a)))
    notifications.registration_confirmed(registration_id=1)
    notifications.registration_waitlisted(registration_id=2)
    notifications.registration_promoted(registration_id=3)
    notifications.registration_cancelled(registration_id=4)
    notifications.meeting_changed(meeting_id=5, sequence=6)
    notifications.meeting_cancelled(meeting_id=7)
    assert calls == [
        ("send_confirmation", (1,)),
        ("send_waitlisted", (2,)),
        ("send_promotion", (3,)),
        ("send_cancellation", (4,)),
        ("send_meeting_changed", (5, 6)),
        ("send_meeting_cancelled", (7,)),
    ]


def test_meeting_spanning_two_days(tree, make_meeting, people, on_commit):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], publish=False)
    end = START + dt.timedelta(days=1, hours=6)
    services.meeting_update(meeting=meeting, starts_at=START, ends_at=end)
    meeting = services.meeting_publish(meeting=meeting, by=None)
    assert emails.meeting_when(meeting) == (
        "torsdag den 7. marts 2030 kl. 10.00 til fredag den 8. marts 2030 kl. 16.00"
    )
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PUBLISHED


def test_silenced_block_sends_nothing(meeting, people, django_capture_on_commit_callbacks):
    """The demo loader builds its meetings through the services without mailing anyone."""
    mail.outbox.clear()
    with notifications.silenced(), django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=people[0], by=None)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=people[1], by=None)
    assert len(mail.outbox) == 1
