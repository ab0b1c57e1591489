"""Reminders N days before a meeting: to confirmed people only, and once, however often and
however concurrently the hourly beat task runs."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.utils import timezone

from attendance import services, tasks
from attendance.models import Meeting, Registration
from attendance.selectors import reminders as reminder_selectors
from lms.people.models import OrgUnit
from tests.factories import PersonFactory, UserFactory, org_unit

R = Registration.Status


def sign_up(meeting, person):
    return services.registration_create(meeting=meeting, person=person, by=person.user)


def signed_up_long_ago(meeting, people):
    """Sign `people` up and date their sign-ups a week back, before the reminder window
    opened (people who sign up inside the window get no reminder on top of the confirmation)."""
    registrations = [sign_up(meeting, p) for p in people]
    Registration.objects.filter(meeting=meeting).update(
        created_at=timezone.now() - dt.timedelta(days=7)
    )
    return registrations


@pytest.fixture
def soon(tree, make_meeting):
    """A published meeting 36 hours ahead: inside the default 2-day window."""
    return make_meeting(
        tree["HJ"], audience=[tree["HJ"]], capacity=2, starts_in=dt.timedelta(hours=36)
    )


@pytest.fixture
def people(tree, make_employee):
    return [make_employee(tree["HJ-SKOLE"]) for _ in range(4)]


def reminders():
    return [m for m in mail.outbox if m.subject.startswith("Påmindelse: ")]


def test_reminder_sent_once_across_two_runs(soon, people):
    confirmed_a, confirmed_b, waiting, cancelled = signed_up_long_ago(soon, people)
    services.registration_cancel(registration=cancelled, by=None)
    assert waiting.status == R.WAITING
    mail.outbox.clear()

    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 2
    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 0
    sent = reminders()
    assert sorted(m.to[0] for m in sent) == sorted([people[0].email, people[1].email])
    message = sent[0]
    assert message.subject == f"Påmindelse: {soon.title}"
    assert "Dette er en påmindelse om, at du er tilmeldt mødet nedenfor." in message.body
    assert f"/moeder/{soon.pk}/" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "påmindelse" in html
    for registration in (confirmed_a, confirmed_b):
        registration.refresh_from_db()
        assert registration.reminder_sent_at is not None
    waiting.refresh_from_db()
    assert waiting.reminder_sent_at is None


def test_the_same_reminder_task_twice_sends_once(soon, people):
    [registration] = signed_up_long_ago(soon, people[:1])
    mail.outbox.clear()
    assert tasks.send_reminder.delay(registration.pk).get(disable_sync_subtasks=False) is True
    assert tasks.send_reminder.delay(registration.pk).get(disable_sync_subtasks=False) is False
    assert len(reminders()) == 1


def test_no_reminder_outside_the_window(tree, make_meeting, people):
    later = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(days=5))
    signed_up_long_ago(later, people[:2])
    mail.outbox.clear()
    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 0
    assert reminders() == []


def test_no_reminder_for_a_cancelled_meeting(soon, people):
    [registration] = signed_up_long_ago(soon, people[:1])
    services.meeting_cancel(meeting=soon, reason="Aflyst", by=None)
    mail.outbox.clear()
    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 0
    # Even a reminder task enqueued before the cancellation sends nothing.
    assert tasks.send_reminder.delay(registration.pk).get(disable_sync_subtasks=False) is False
    assert reminders() == []


def test_no_reminder_for_a_draft_or_past_meeting(tree, make_meeting, people):
    draft = make_meeting(
        tree["HJ"], audience=[tree["HJ"]], publish=False, starts_in=dt.timedelta(hours=30)
    )
    assert draft.status == Meeting.Status.DRAFT
    started = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(hours=1))
    [registration] = signed_up_long_ago(started, people[:1])
    Meeting.objects.filter(pk=started.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    assert reminder_selectors.reminders_due() == []
    assert services.reminder_send(registration_id=registration.pk) is False


def test_no_reminder_to_a_cancelled_registration(soon, people):
    [registration] = signed_up_long_ago(soon, people[:1])
    services.registration_cancel(registration=registration, by=None)
    mail.outbox.clear()
    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 0
    assert tasks.send_reminder.delay(registration.pk).get(disable_sync_subtasks=False) is False
    assert reminders() == []


def test_no_second_reminder_after_a_change(soon, people, django_capture_on_commit_callbacks):
    signed_up_long_ago(soon, people[:1])
    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=soon, venue="Biblioteket, sal 2")
    assert tasks.send_due_reminders.delay().get(disable_sync_subtasks=False) == 0
    assert len(reminders()) == 1
    assert any(m.subject.startswith("Mødet er ændret: ") for m in mail.outbox)


def test_promoted_before_the_window_gets_a_reminder(soon, people):
    a, _b, waiting = signed_up_long_ago(soon, people[:3])
    services.registration_cancel(registration=a, by=None)
    waiting.refresh_from_db()
    assert waiting.status == R.CONFIRMED
    # Promoted just now, inside the window: the promotion mail was the reminder.
    assert waiting.pk not in reminder_selectors.reminders_due()
    Registration.objects.filter(pk=waiting.pk).update(
        promoted_at=timezone.now() - dt.timedelta(days=3)
    )
    assert waiting.pk in reminder_selectors.reminders_due()


def test_signed_up_inside_the_window_gets_no_reminder(soon, people):
    sign_up(soon, people[0])
    assert reminder_selectors.reminders_due() == []


def test_reminder_days_setting(tree, make_meeting, people, settings):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(days=4))
    signed_up_long_ago(meeting, people[:1])
    Registration.objects.update(created_at=timezone.now() - dt.timedelta(days=10))
    assert reminder_selectors.reminders_due() == []
    settings.LMS_MEETING_REMINDER_DAYS = 5
    assert len(reminder_selectors.reminders_due()) == 1


def test_reminder_days_per_meeting(tree, make_meeting, people):
    early = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(days=3))
    late = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(hours=36))
    [early_reg] = signed_up_long_ago(early, people[:1])
    signed_up_long_ago(late, people[1:2])
    services.meeting_update(meeting=early, reminder_days=4, by=None)
    services.meeting_update(meeting=late, reminder_days=1, by=None)
    assert reminder_selectors.reminders_due() == [early_reg.pk]


def test_failed_send_releases_the_claim(soon, people, monkeypatch):
    [registration] = signed_up_long_ago(soon, people[:1])

    def fail(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)
    with pytest.raises(ConnectionRefusedError):
        services.reminder_send(registration_id=registration.pk)
    registration.refresh_from_db()
    assert registration.reminder_sent_at is None
    monkeypatch.undo()
    assert services.reminder_send(registration_id=registration.pk) is True


def test_reminder_for_a_missing_registration(db):
    assert services.reminder_send(registration_id=123456) is False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reminder_runs_send_once():
    """Eight workers run the same reminder at once, each on its own connection."""
    root = org_unit(code="RM", name="Reminder Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    start = timezone.now() + dt.timedelta(hours=30)
    meeting = services.meeting_create(
        kind=Meeting.Kind.INFORMATION,
        title="Påmindelse",
        org_unit=root,
        audience_units=[root],
        venue="Rådhuset",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        capacity=5,
        by=None,
    )
    meeting = services.meeting_publish(meeting=meeting, by=None)
    user = UserFactory(email="remind@example.dk")
    person = PersonFactory(org_unit=root, user=user, email=user.email)
    [registration] = signed_up_long_ago(meeting, [person])
    mail.outbox.clear()

    workers = 8
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.reminder_send(registration_id=registration.pk))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * (workers - 1) + [True]
    assert len(reminders()) == 1


@pytest.mark.parametrize("meetings", [2, 12])
def test_finding_due_reminders_takes_constant_queries(
    tree, make_meeting, make_employee, meetings, assert_queries
):
    for _ in range(meetings):
        meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(hours=30))
        signed_up_long_ago(meeting, [make_employee(tree["HJ-SKOLE"]) for _ in range(3)])
    due = assert_queries(3, reminder_selectors.reminders_due)
    assert len(due) == meetings * 3


@pytest.mark.django_db(transaction=True)
def test_beat_installs_the_hourly_reminder_task():
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from lms.celery import app

    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == tasks.send_due_reminders.name
    ]
    assert entry["schedule"].hour == set(range(24))  # every hour
    DatabaseScheduler(app=app, lazy=False)
    task = PeriodicTask.objects.get(task=tasks.send_due_reminders.name)
    assert task.enabled and task.crontab is not None
