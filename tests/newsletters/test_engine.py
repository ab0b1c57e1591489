"""The send engine: claims, marks after each SMTP transaction, retries of transient answers,
failures with the answer, the lease of a dead worker, pause, resume, cancel, send again to the
failed. The SMTP server is a fake connection that answers per address as a server would."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsletters.models import BouncingAddress, Delivery, Send
from newsletters.services import deliveries as engine
from newsletters.services import sends as send_services

from .conftest import FakeSMTP, refused

D = Delivery.Status
pytestmark = pytest.mark.django_db


def statuses(send) -> dict[str, str]:
    return dict(Delivery.objects.filter(send=send).values_list("email", "status"))


def test_a_batch_sends_everyone_over_one_connection_and_finishes_the_send(make_send, staff):
    send = make_send(start=True)
    smtp = FakeSMTP()
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert (result.claimed, result.sent, result.more) == (3, 3, False)
    assert sorted(smtp.accepted) == ["Paedagog@hj.dk", "kontor@hj.dk", "laerer@hj.dk"]
    assert (smtp.opened, smtp.closed) == (1, 1)
    assert set(statuses(send).values()) == {D.SENT}
    send.refresh_from_db()
    assert send.status == Send.Status.SENT
    assert send.finished_at is not None
    assert (send.sent_count, send.pending_count, send.failed_count) == (3, 0, 0)
    row = Delivery.objects.get(send=send, email="laerer@hj.dk")
    assert (row.attempts, row.claim_token != "", row.sent_at is not None) == (1, True, True)


def test_the_default_connection_is_djangos_backend(make_send, staff):
    send = make_send(start=True)
    result = engine.deliveries_send_batch(send_id=send.pk)
    assert result.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "Paedagog@hj.dk",
        "kontor@hj.dk",
        "laerer@hj.dk",
    ]


def test_a_batch_claims_at_most_the_batch_size(make_send, staff, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    send = make_send(start=True)
    first = engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())
    assert (first.sent, first.more) == (2, True)
    send.refresh_from_db()
    assert send.status == Send.Status.SENDING
    second = engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())
    assert (second.sent, second.more) == (1, False)
    send.refresh_from_db()
    assert send.status == Send.Status.SENT


def test_a_4xx_answer_is_retried_later_with_back_off(make_send, staff, settings):
    settings.NEWSLETTER_RETRY_BACKOFF_SECONDS = 60
    send = make_send(start=True)
    smtp = FakeSMTP({"laerer@hj.dk": refused("laerer@hj.dk", 451, b"4.7.1 Try again later")})
    before = timezone.now()
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert (result.sent, result.deferred, result.more) == (2, 1, False)
    row = Delivery.objects.get(send=send, email="laerer@hj.dk")
    assert (row.status, row.attempts, row.smtp_code) == (D.PENDING, 1, 451)
    assert row.smtp_answer == "4.7.1 Try again later"
    assert row.claim_token == ""
    assert row.next_attempt_at >= before + dt.timedelta(seconds=60)
    send.refresh_from_db()
    assert send.status == Send.Status.SENDING
    # Not due yet: nothing to claim.
    assert engine.deliveries_send_batch(send_id=send.pk, connection=smtp).claimed == 0
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    again = engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert again.sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (D.SENT, 2)
    send.refresh_from_db()
    assert send.status == Send.Status.SENT


def test_the_back_off_doubles_and_gives_up_after_the_last_attempt(make_send, staff, settings):
    settings.NEWSLETTER_MAX_ATTEMPTS = 3
    settings.NEWSLETTER_RETRY_BACKOFF_SECONDS = 10
    send = make_send(start=True)
    busy = smtplib.SMTPResponseException(421, b"4.3.2 Service not available")
    smtp = FakeSMTP({"kontor@hj.dk": busy}, always=True)
    delays = []
    for _try in range(3):
        Delivery.objects.filter(send=send, status=D.PENDING).update(next_attempt_at=None)
        start = timezone.now()
        engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
        row = Delivery.objects.get(send=send, email="kontor@hj.dk")
        if row.status == D.PENDING:
            delays.append(round((row.next_attempt_at - start).total_seconds()))
    assert delays == [10, 20]
    assert (row.status, row.attempts, row.smtp_code) == (D.FAILED, 3, 421)
    # Given up on a transient answer: the address is not marked as bouncing.
    assert not BouncingAddress.objects.exists()
    send.refresh_from_db()
    assert (send.status, send.failed_count, send.sent_count) == (Send.Status.SENT, 1, 2)


def test_a_5xx_answer_fails_with_the_answer_and_marks_the_address_bouncing(make_send, staff):
    send = make_send(start=True)
    smtp = FakeSMTP(
        {"kontor@hj.dk": refused("kontor@hj.dk", 550, b"5.1.1 User unknown")}, always=True
    )
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert (result.sent, result.failed) == (2, 1)
    row = Delivery.objects.get(send=send, email="kontor@hj.dk")
    assert (row.status, row.smtp_code, row.smtp_answer) == (D.FAILED, 550, "5.1.1 User unknown")
    bounce = BouncingAddress.objects.get()
    assert (bounce.email, bounce.smtp_code, bounce.send_id) == ("kontor@hj.dk", 550, send.pk)
    send.refresh_from_db()
    assert (send.status, send.sent_count, send.failed_count) == (Send.Status.SENT, 2, 1)
    # The next send skips it, with the reason.
    later = make_send(start=True)
    assert Delivery.objects.get(send=later, email="kontor@hj.dk").skip_reason == "bouncing"


def test_a_5xx_refusal_of_the_message_fails_it_without_blaming_the_address(make_send, staff):
    send = make_send(start=True)
    spam = smtplib.SMTPDataError(554, b"5.7.1 Message rejected")
    engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP({"kontor@hj.dk": spam}))
    row = Delivery.objects.get(send=send, email="kontor@hj.dk")
    assert (row.status, row.smtp_code, row.smtp_answer) == (
        D.FAILED,
        554,
        "5.7.1 Message rejected",
    )
    assert not BouncingAddress.objects.exists()


def test_a_lost_connection_defers_the_row_and_the_batch_goes_on_over_a_new_one(make_send, staff):
    send = make_send(start=True)
    first = Delivery.objects.filter(send=send).order_by("pk").first()
    lost = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    smtp = FakeSMTP({first.email: lost})
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert (result.sent, result.deferred) == (2, 1)
    assert smtp.opened == 2
    first.refresh_from_db()
    assert (first.status, first.smtp_code, first.attempts) == (D.PENDING, None, 1)
    assert "closed" in first.smtp_answer


def test_a_server_that_stays_away_ends_the_batch_and_hands_the_rest_back(make_send, staff):
    send = make_send(start=True)
    smtp = FakeSMTP(
        {s.email: ConnectionRefusedError("refused") for s in staff.values()}, always=True
    )
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert (result.sent, result.deferred, result.released) == (0, 2, 1)
    assert sorted(statuses(send).values()) == [D.PENDING] * 3
    assert Delivery.objects.filter(send=send, status=D.PENDING, attempts=0).count() == 1
    assert not Delivery.objects.exclude(claim_token="").exists()


def test_a_refused_sender_stops_the_batch(make_send, staff):
    send = make_send(start=True)
    first = Delivery.objects.filter(send=send).order_by("pk").first()
    sender = smtplib.SMTPSenderRefused(550, b"5.7.60 Not allowed to send as", "infohus@x")
    result = engine.deliveries_send_batch(
        send_id=send.pk, connection=FakeSMTP({first.email: sender})
    )
    assert (result.sent, result.deferred, result.released) == (0, 1, 2)
    assert not BouncingAddress.objects.exists()


def test_a_dead_workers_claim_is_taken_over_after_the_lease_and_reported(
    make_send, staff, settings
):
    settings.NEWSLETTER_CLAIM_LEASE_SECONDS = 600
    send = make_send(start=True)
    dead = engine.deliveries_claim(send_id=send.pk, limit=2, token="dead-worker")
    assert len(dead) == 2
    # Within the lease, nobody else takes them.
    live = FakeSMTP()
    engine.deliveries_send_batch(send_id=send.pk, connection=live)
    assert len(live.accepted) == 1
    send.refresh_from_db()
    assert send.status == Send.Status.SENDING
    Delivery.objects.filter(claim_token="dead-worker").update(
        claimed_at=timezone.now() - dt.timedelta(seconds=601)
    )
    later = FakeSMTP()
    result = engine.deliveries_send_batch(send_id=send.pk, connection=later)
    assert sorted(later.accepted) == sorted(d.email for d in dead)
    assert result.sent == 2
    assert set(
        Delivery.objects.filter(pk__in=[d.pk for d in dead]).values_list(
            "possibly_duplicated", flat=True
        )
    ) == {True}
    send.refresh_from_db()
    assert (send.status, send.duplicate_risk_count) == (Send.Status.SENT, 2)


def test_a_slow_worker_that_lost_its_claim_does_not_overwrite_and_flags_the_row(make_send, staff):
    send = make_send(start=True)
    row = engine.deliveries_claim(send_id=send.pk, limit=5, token="slow")[0]
    Delivery.objects.filter(pk=row.pk).update(claim_token="other")
    assert not engine.delivery_mark_sent(delivery=row, token="slow", now=timezone.now())
    row.refresh_from_db()
    assert (row.status, row.claim_token, row.possibly_duplicated) == (D.SENDING, "other", True)


def test_pause_stops_claiming_and_resume_goes_on(
    make_send, staff, django_capture_on_commit_callbacks
):
    send = make_send(start=True)
    send = send_services.send_pause(send=send, by=None)
    assert engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP()).claimed == 0
    assert set(statuses(send).values()) == {D.PENDING}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_services.send_resume(send=send, by=None)
    # The batches were enqueued after commit and ran (eager in the tests).
    assert callbacks
    assert set(statuses(send).values()) == {D.SENT}
    send.refresh_from_db()
    assert send.status == Send.Status.SENT


def test_a_pause_during_a_batch_hands_back_the_unsent_rows(make_send, staff, monkeypatch):
    send = make_send(start=True)
    monkeypatch.setattr(engine, "STATUS_CHECK_EVERY", 1)

    class PausingSMTP(FakeSMTP):
        def send_messages(self, messages):
            sent = super().send_messages(messages)
            Send.objects.filter(pk=send.pk).update(status=Send.Status.PAUSED)
            return sent

    result = engine.deliveries_send_batch(send_id=send.pk, connection=PausingSMTP())
    assert (result.sent, result.released) == (1, 2)
    assert sorted(statuses(send).values()) == [D.PENDING, D.PENDING, D.SENT]


def test_cancel_skips_the_pending_rows_and_nothing_more_is_sent(make_send, staff):
    send = make_send(start=True)
    send = send_services.send_cancel(send=send, by=None)
    assert set(statuses(send).values()) == {D.SKIPPED}
    assert set(Delivery.objects.filter(send=send).values_list("skip_reason", flat=True)) == {
        "cancelled"
    }
    assert engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP()).claimed == 0
    assert (send.status, send.skipped_count) == (Send.Status.CANCELLED, 3)
    with pytest.raises(ValidationError):
        send_services.send_cancel(send=send, by=None)


def test_rows_held_when_the_send_is_cancelled_are_marked_by_their_worker(make_send, staff):
    send = make_send(start=True)
    held = engine.deliveries_claim(send_id=send.pk, limit=2, token="w")
    send_services.send_cancel(send=send, by=None)
    engine.delivery_mark_sent(delivery=held[0], token="w", now=timezone.now())
    assert engine.deliveries_release(ids=[held[1].pk], token="w") == 1
    assert sorted(statuses(send).values()) == [D.SENT, D.SKIPPED, D.SKIPPED]


def test_send_again_to_the_failed_only(make_send, staff, django_capture_on_commit_callbacks):
    send = make_send(start=True)
    smtp = FakeSMTP({"kontor@hj.dk": refused("kontor@hj.dk", 550, b"5.1.1 Unknown")})
    engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    send.refresh_from_db()
    assert (send.status, send.failed_count) == (Send.Status.SENT, 1)
    assert BouncingAddress.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=False):
        send = send_services.send_retry_failed(send=send, by=None)
    assert send.status == Send.Status.SENDING
    assert statuses(send)["kontor@hj.dk"] == D.PENDING
    assert not BouncingAddress.objects.exists()
    again = FakeSMTP()
    engine.deliveries_send_batch(send_id=send.pk, connection=again)
    assert again.accepted == ["kontor@hj.dk"]
    send.refresh_from_db()
    assert (send.status, send.sent_count, send.failed_count) == (Send.Status.SENT, 3, 0)
    with pytest.raises(ValidationError) as error:
        send_services.send_retry_failed(send=send, by=None)
    assert error.value.code == "nothing_failed"


def test_the_rate_limit_paces_a_batch_and_waits_when_the_minute_is_used(
    make_send, staff, settings, monkeypatch
):
    settings.NEWSLETTER_RATE_PER_MINUTE = 3
    settings.NEWSLETTER_WORKERS = 1
    slept = []
    monkeypatch.setattr(engine, "_sleep", slept.append)
    monkeypatch.setattr(engine, "_monotonic", lambda: 0.0)
    send = make_send(start=True)
    result = engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP())
    assert result.sent == 3
    # One message every 20 seconds: 60 s / 3 per minute.
    assert slept == [20.0, 40.0]
    other = make_send(start=True)
    waited = engine.deliveries_send_batch(send_id=other.pk, connection=FakeSMTP())
    assert (waited.claimed, waited.more, waited.wait_seconds) == (0, True, 20)


def test_the_beat_requeues_a_stalled_send_and_it_completes(
    make_send, staff, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_STALL_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=False):
        # The broker lost the batches that the start enqueued.
        send = make_send(start=True)
    assert send_services.sends_requeue_stalled() == []
    Send.objects.filter(pk=send.pk).update(progress_at=timezone.now() - dt.timedelta(minutes=3))
    assert send_services.sends_requeue_stalled() == [send.pk]
    assert set(statuses(send).values()) == {D.SENT}
    send.refresh_from_db()
    assert send.status == Send.Status.SENT


def test_a_batch_as_of_a_past_moment_dates_its_rows_and_the_send_from_there(make_send, staff):
    """The demo sends its past editions this way (lms.clock): the batch's clock starts at `now`
    and runs on from there, so the rows keep the order they were sent in."""
    started = timezone.now() - dt.timedelta(days=100)
    send = send_services.send_start(send=make_send(), by=None, now=started)
    result = engine.deliveries_send_batch(send_id=send.pk, connection=FakeSMTP(), now=started)
    assert result.sent == 3
    rows = list(Delivery.objects.filter(send=send).order_by("pk"))
    moments = [row.sent_at for row in rows]
    assert moments == sorted(moments)
    assert started <= moments[0] and moments[-1] < started + dt.timedelta(minutes=1)
    assert all(started <= row.claimed_at <= moments[0] for row in rows)
    send.refresh_from_db()
    assert send.status == Send.Status.SENT
    assert moments[-1] <= send.finished_at < started + dt.timedelta(minutes=1)
    assert send.progress_at == send.finished_at


def test_a_batch_refuses_a_moment_in_the_future(make_send, staff):
    send = make_send(start=True)
    with pytest.raises(ValueError):
        engine.deliveries_send_batch(
            send_id=send.pk, connection=FakeSMTP(), now=timezone.now() + dt.timedelta(hours=1)
        )
    assert set(statuses(send).values()) == {D.PENDING}
