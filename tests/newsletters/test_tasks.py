"""The thin tasks: a batch that chains the next while rows remain, the queues (urgent mail never
waits behind a newsletter), and the beat task that starts due sends and re-enqueues stalled ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from newsletters import tasks
from newsletters.models import Delivery, Send
from newsletters.services import sends as send_services

pytestmark = pytest.mark.django_db


def test_a_batch_task_chains_the_next_until_the_send_is_done(
    make_send, staff, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_BATCH_SIZE = 1
    with django_capture_on_commit_callbacks(execute=True):
        send = make_send(start=True)
    assert len(mail.outbox) == 3
    send.refresh_from_db()
    assert (send.status, send.sent_count) == (Send.Status.SENT, 3)


@pytest.mark.parametrize("urgent", [False, True])
def test_batches_go_to_the_newsletter_queue_and_urgent_ones_to_their_own(
    make_send, staff, monkeypatch, django_capture_on_commit_callbacks, urgent
):
    queues = []
    monkeypatch.setattr(
        tasks.send_batch, "apply_async", lambda args, queue, **kw: queues.append((args, queue))
    )
    with django_capture_on_commit_callbacks(execute=True):
        send = make_send(start=True, urgent=urgent)
    expected = settings.NEWSLETTER_URGENT_QUEUE if urgent else settings.NEWSLETTER_QUEUE
    assert queues == [((send.pk,), expected)] * settings.NEWSLETTER_WORKERS
    assert settings.NEWSLETTER_QUEUE != settings.NEWSLETTER_URGENT_QUEUE


def test_dispatch_starts_due_sends_and_requeues_stalled_ones(
    make_send, staff, django_capture_on_commit_callbacks
):
    scheduled = make_send()
    send_services.send_schedule(
        send=scheduled, at=timezone.now() + dt.timedelta(minutes=5), by=None
    )
    Send.objects.filter(pk=scheduled.pk).update(
        scheduled_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=False):
        stalled = make_send(start=True)
    Send.objects.filter(pk=stalled.pk).update(progress_at=timezone.now() - dt.timedelta(minutes=10))
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.dispatch()
    assert result == {"started": [scheduled.pk], "requeued": [stalled.pk]}
    for send in (scheduled, stalled):
        send.refresh_from_db()
        assert send.status == Send.Status.SENT
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 6


@pytest.mark.django_db(transaction=True)
def test_beat_runs_dispatch_every_minute():
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from lms.celery import app

    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == tasks.dispatch.name
    ]
    assert entry["schedule"].minute == set(range(60))
    DatabaseScheduler(app=app, lazy=False)
    task = PeriodicTask.objects.get(task=tasks.dispatch.name)
    assert task.enabled and task.crontab is not None
    assert tasks.send_batch.acks_late
