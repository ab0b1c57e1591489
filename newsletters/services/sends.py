"""Every change to a send: draft, schedule, start (the recipient list frozen), pause, resume,
cancel, send again to the failed, and the end of a send.

A state change locks the send's row (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE
transaction holds the write lock from BEGIN) and re-reads its status inside the lock, so two
coordinators pressing "start" at once freeze one recipient list, not two. Batches are enqueued
after commit; the engine itself is newsletters.services.deliveries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit, bounds
from lms.clock import as_of
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User
from newsletters import access
from newsletters.emails.editions import RenderedEdition, edition_render, message_build
from newsletters.emails.urgent import urgent_render
from newsletters.models import BouncingAddress, Delivery, NewsletterPage, Send
from newsletters.selectors.audiences import (
    LEDGER_COLUMNS,
    audience_chosen_or_default,
    ledger_rows,
)

__all__ = [
    "audience_check",
    "send_create",
    "send_update",
    "send_schedule",
    "send_start",
    "send_pause",
    "send_resume",
    "send_cancel",
    "send_retry_failed",
    "send_test",
    "send_counters_refresh",
    "send_finish_if_done",
    "sends_start_due",
    "sends_requeue_stalled",
]

S = Send.Status
D = Delivery.Status


def _status_error(send: Send) -> ValidationError:
    return ValidationError(
        _("This is not possible for a send with status “%(status)s”.")
        % {"status": send.get_status_display()},
        code="invalid_transition",
    )


def _lock(send: Send) -> Send:
    return Send.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=send.pk)


def _check_audience(
    *,
    org_unit: OrgUnit,
    units: list[OrgUnit],
    by: User | None,
    field: str = "audience_units",
    action: access.Action = access.SEND,
) -> None:
    """The audience is not empty, lies under the sending Infohus and within `by`'s scope for
    `action` (SEND; URGENT_SEND for an urgent message)."""
    if not units:
        raise ValidationError(
            {field: ValidationError(_("Choose at least one unit to send to."), code="no_audience")}
        )
    outside = [u for u in units if not u.path.startswith(org_unit.path)]
    outside += [u for u in access.units_outside_scope(by, units, action=action) if u not in outside]
    if outside:
        message = _("You may not send to these units: %(units)s.") % {
            "units": ", ".join(u.name for u in outside)
        }
        raise ValidationError({field: ValidationError(message, code="audience_out_of_scope")})


# The same check for an urgent message's send (newsletters.services.urgent).
audience_check = _check_audience


def _check_edition(edition: NewsletterPage | None) -> None:
    if edition is None:  # an urgent message: no web version to publish first
        return
    if not edition.live:
        message = _("Publish the newsletter before it is sent: the mail links to it.")
        raise ValidationError({"edition": ValidationError(message, code="edition_not_live")})


def _audience_save(
    send: Send,
    *,
    units: list[OrgUnit],
    job_categories: Iterable[JobCategory],
    action: str,
    by: User | None,
) -> Send:
    """A draft's audience (its units and job categories) written, with the audit entry of the
    create or change."""
    send.audience_units.set(units)
    send.job_categories.set(list(job_categories))
    audit.log(
        send,
        action,
        by=by,
        data={
            "edition": send.edition_id,
            "audience_units": sorted(u.pk for u in units),
            "include_externals": send.include_externals,
        },
    )
    return send


@transaction.atomic
def send_create(
    *,
    edition: NewsletterPage,
    org_unit: OrgUnit,
    audience_units: Iterable[OrgUnit] | None = None,
    job_categories: Iterable[JobCategory] | None = None,
    include_externals: bool | None = None,
    urgent: bool = False,
    by: User | None,
    now: dt.datetime | None = None,
) -> Send:
    """A draft send of `edition` from the Infohus `org_unit` to its audience, created as of `now`
    (default: the current time; lms.clock). Without `audience_units`, the Infohus's default
    audience (selectors.audiences.default_audience) with its job categories and externals, where
    those are not given either."""
    policy.require(by, access.WRITE, org_unit)
    created_at = as_of(now) if now is not None else None
    audience = audience_chosen_or_default(
        org_unit,
        units=audience_units,
        job_categories=job_categories,
        include_externals=include_externals,
    )
    units, job_categories = audience.units, audience.job_categories
    include_externals = audience.include_externals
    _check_audience(org_unit=org_unit, units=units, by=by)
    send = Send.objects.create(
        edition=edition,
        org_unit=org_unit,
        include_externals=include_externals,
        urgent=urgent,
        created_by=by,
    )
    if created_at is not None:
        # created_at is auto_now_add: the save sets the current time, so an earlier one is set
        # after it.
        Send.objects.filter(pk=send.pk).update(created_at=created_at)
        send.created_at = created_at
    return _audience_save(
        send, units=units, job_categories=job_categories, action="lms.newsletter_send.create", by=by
    )


@transaction.atomic
def send_schedule(*, send: Send, at: dt.datetime, by: User | None) -> Send:
    """draft → scheduled: the beat task starts it once `at` has come."""
    access.require(by, access.send_action(send), send)
    if timezone.is_naive(at):
        raise ValueError("at must be an aware datetime")
    if at <= timezone.now():
        message = _("Choose a time in the future.")
        raise ValidationError({"scheduled_at": ValidationError(message, code="schedule_in_past")})
    # A time in year 9999 would break every page that shows it (issue 8): the platform's range.
    if (error := bounds.date_error(at)) is not None:
        raise ValidationError({"scheduled_at": error})
    send = _lock(send)
    if send.status != S.DRAFT:
        raise _status_error(send)
    _check_edition(send.edition)
    _check_audience(
        org_unit=send.org_unit,
        units=list(send.audience_units.all()),
        by=by,
        action=access.send_action(send),
    )
    send.status = S.SCHEDULED
    send.scheduled_at = at
    send.scheduled_by = by
    send.save(update_fields=["status", "scheduled_at", "scheduled_by"])
    audit.log(send, "lms.newsletter_send.schedule", by=by, data={"at": at.isoformat()})
    return send


def _render(send: Send) -> RenderedEdition:
    """The mail of the send, rendered once: of its edition, or of its urgent message."""
    return urgent_render(send=send) if send.urgent_message_id else edition_render(send=send)


def _freeze(send: Send) -> int:
    """Write the ledger: one row per person of the audience, in one INSERT ... SELECT, so that a
    roster change after this moment changes nothing, and memory stays flat however many."""
    sql, params = ledger_rows(send).query.get_compiler(using="default").as_sql()
    columns = ", ".join(connection.ops.quote_name(c) for c, _alias in LEDGER_COLUMNS)
    table = connection.ops.quote_name(Delivery._meta.db_table)
    with connection.cursor() as cursor:
        # Names from the model, quoted; every value is a bound parameter of the SELECT.
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)
        return cursor.rowcount


def send_start(*, send: Send, by: User | None, now: dt.datetime | None = None) -> Send:
    """draft or scheduled → sending: freeze the recipients (skipped ones with their reason) and
    enqueue the batches after commit."""
    now = as_of(now)
    access.require(by, access.send_action(send), send)
    with transaction.atomic():
        send = _lock(send)
        if send.status not in (S.DRAFT, S.SCHEDULED):
            raise _status_error(send)
        _check_edition(send.edition)
        _check_audience(
            org_unit=send.org_unit,
            units=list(send.audience_units.all()),
            by=by,
            action=access.send_action(send),
        )
        frozen = _freeze(send)
        send.rendered = asdict(_render(send))
        send.status = S.SENDING
        send.started_at = now
        send.progress_at = now
        send.save(update_fields=["status", "started_at", "progress_at", "rendered"])
        send = send_counters_refresh(send=send)
        audit.log(
            send,
            "lms.newsletter_send.start",
            by=by,
            data={"recipients": frozen, "skipped": send.skipped_count},
        )
        _enqueue_after_commit(send, batches=settings.NEWSLETTER_WORKERS)
    return send


@transaction.atomic
def send_pause(*, send: Send, by: User | None) -> Send:
    """sending → paused: workers claim nothing more; a batch under way stops within a few
    messages and hands its unsent rows back."""
    access.require(by, access.send_action(send), send)
    send = _lock(send)
    if send.status != S.SENDING:
        raise _status_error(send)
    send.status = S.PAUSED
    send.save(update_fields=["status"])
    audit.log(send, "lms.newsletter_send.pause", by=by)
    return send


@transaction.atomic
def send_resume(*, send: Send, by: User | None) -> Send:
    access.require(by, access.send_action(send), send)
    send = _lock(send)
    if send.status != S.PAUSED:
        raise _status_error(send)
    send.status = S.SENDING
    send.progress_at = timezone.now()
    send.save(update_fields=["status", "progress_at"])
    audit.log(send, "lms.newsletter_send.resume", by=by)
    _enqueue_after_commit(send, batches=settings.NEWSLETTER_WORKERS)
    return send


@transaction.atomic
def send_cancel(*, send: Send, by: User | None) -> Send:
    """Before or during sending. Pending rows are skipped ("send cancelled"); rows a worker holds
    at this moment are marked by that worker with what the SMTP server answered: the truth."""
    access.require(by, access.send_action(send), send)
    send = _lock(send)
    if send.status in (S.SENT, S.CANCELLED):
        raise _status_error(send)
    skipped = Delivery.objects.filter(send=send, status=D.PENDING).update(
        status=D.SKIPPED, skip_reason=Delivery.SkipReason.CANCELLED, next_attempt_at=None
    )
    send.status = S.CANCELLED
    send.finished_at = timezone.now()
    send.save(update_fields=["status", "finished_at"])
    send = send_counters_refresh(send=send)
    audit.log(send, "lms.newsletter_send.cancel", by=by, data={"skipped": skipped})
    return send


@transaction.atomic
def send_retry_failed(*, send: Send, by: User | None) -> Send:
    """Send again to the failed only: their rows go back to pending with fresh attempts, and
    their addresses stop counting as bouncing (a person asked to try them again)."""
    access.require(by, access.send_action(send), send)
    send = _lock(send)
    if send.status not in (S.SENDING, S.PAUSED, S.SENT):
        raise _status_error(send)
    failed = Delivery.objects.filter(send=send, status=D.FAILED)
    emails = sorted({e.lower() for e in failed.values_list("email", flat=True)})
    if not emails:
        raise ValidationError(_("No delivery of this send has failed."), code="nothing_failed")
    BouncingAddress.objects.filter(email__in=emails).delete()
    again = failed.update(status=D.PENDING, attempts=0, next_attempt_at=None)
    if send.status == S.SENT:
        send.status = S.SENDING
        send.finished_at = None
    send.progress_at = timezone.now()
    send.save(update_fields=["status", "finished_at", "progress_at"])
    send = send_counters_refresh(send=send)
    audit.log(send, "lms.newsletter_send.retry_failed", by=by, data={"deliveries": again})
    if send.status == S.SENDING:
        _enqueue_after_commit(send, batches=settings.NEWSLETTER_WORKERS)
    return send


TEST_ADDRESSES_MAX = 5


def send_test(*, send: Send, addresses: Sequence[str], by: User | None) -> int:
    """Mail the edition as it stands to a few addresses (the author's own, colleagues'), exactly
    as staff will get it. Not part of the send: no ledger row, nothing counted."""
    access.require(by, access.WRITE, send)
    cleaned = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))
    if not cleaned or len(cleaned) > TEST_ADDRESSES_MAX:
        message = _("Give between one and %(max)s addresses.") % {"max": TEST_ADDRESSES_MAX}
        raise ValidationError({"addresses": ValidationError(message, code="test_addresses")})
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            message = _("“%(address)s” is not an email address.") % {"address": address}
            raise ValidationError(
                {"addresses": ValidationError(message, code="invalid_address")}
            ) from None
    rendered = _render(send)
    with get_connection(fail_silently=False) as connection:
        sent = connection.send_messages(
            [
                message_build(rendered, delivery=Delivery(email=address, external=False))
                for address in cleaned
            ]
        )
    audit.log(send, "lms.newsletter_send.test", by=by, data={"addresses": len(cleaned)})
    return sent or 0


_COUNTERS = (
    "recipients_count",
    "pending_count",
    "sent_count",
    "failed_count",
    "skipped_count",
    "duplicate_risk_count",
)
# The counters recomputed from the ledger and written in one statement (one read of the send's
# ledger, through the unique (send, person) index); a batch's end also records the send's
# progress. Names from the models; every value is a bound parameter.
_COUNTERS_SQL = (
    "UPDATE {send} SET {progress}({counters}) = (SELECT COUNT(*), "
    "COUNT(CASE WHEN status IN (%s, %s) THEN 1 END), COUNT(CASE WHEN status = %s THEN 1 END), "
    "COUNT(CASE WHEN status = %s THEN 1 END), COUNT(CASE WHEN status = %s THEN 1 END), "
    "COUNT(CASE WHEN possibly_duplicated THEN 1 END) FROM {delivery} WHERE send_id = %s) "
    "WHERE id = %s"
)


def _counters_write(send_id: int, *, progress_at: dt.datetime | None = None) -> None:
    quote = connection.ops.quote_name
    sql = _COUNTERS_SQL.format(
        send=quote(Send._meta.db_table),
        delivery=quote(Delivery._meta.db_table),
        progress=f"{quote('progress_at')} = %s, " if progress_at is not None else "",
        counters=", ".join(quote(name) for name in _COUNTERS),
    )
    params = [D.PENDING, D.SENDING, D.SENT, D.FAILED, D.SKIPPED, send_id, send_id]
    if progress_at is not None:
        params.insert(0, connection.ops.adapt_datetimefield_value(progress_at))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def send_counters_refresh(*, send: Send) -> Send:
    """Recompute the counters from the ledger (one statement), and read them back."""
    _counters_write(send.pk)
    values = Send.objects.filter(pk=send.pk).values_list(*_COUNTERS).get()
    for name, value in zip(_COUNTERS, values, strict=True):
        setattr(send, name, value)
    return send


def send_finish_if_done(
    *, send_id: int, now: dt.datetime | None = None, progress: bool = False
) -> bool:
    """sending → sent once no row is pending or held by a worker. One conditional UPDATE, so
    that two batches ending together finish the send once; then the counters, in one statement
    (which also records the send's progress at `now` with `progress`, as a batch's end does)."""
    now = now or timezone.now()
    open_rows = Delivery.objects.filter(send_id=OuterRef("pk"), status__in=(D.PENDING, D.SENDING))
    finished = (
        Send.objects.filter(pk=send_id, status=S.SENDING)
        .exclude(Exists(open_rows))
        .update(status=S.SENT, finished_at=now)
    )
    _counters_write(send_id, progress_at=now if progress else None)
    if finished:
        # The send's mail (rendered) is not needed here.
        send = Send.objects.defer("rendered").get(pk=send_id)
        audit.log(
            send,
            "lms.newsletter_send.finish",
            by=None,
            data={
                "sent": send.sent_count,
                "failed": send.failed_count,
                "possibly_duplicated": send.duplicate_risk_count,
            },
        )
    return bool(finished)


def sends_start_due(*, now: dt.datetime | None = None) -> list[int]:
    """Start the scheduled sends whose time has come (the beat task), each as the user who
    scheduled it would: one who may no longer send there gets the send back as a draft."""
    now = now or timezone.now()
    started = []
    due = (
        Send.objects.filter(status=S.SCHEDULED, scheduled_at__lte=now)
        .select_related("scheduled_by")
        .order_by("scheduled_at")
    )
    for send in due:
        try:
            send_start(send=send, by=send.scheduled_by)
        except ValidationError as error:
            _back_to_draft(send, reason=error.messages)
            continue
        started.append(send.pk)
    return started


@transaction.atomic
def _back_to_draft(send: Send, *, reason: list[str]) -> None:
    updated = Send.objects.filter(pk=send.pk, status=S.SCHEDULED).update(
        status=S.DRAFT, scheduled_at=None, scheduled_by=None
    )
    if updated:
        audit.log(send, "lms.newsletter_send.start_refused", by=None, data={"reason": reason})


def sends_requeue_stalled(*, now: dt.datetime | None = None) -> list[int]:
    """The sends whose claimable rows (pending and due, or held past the lease by a worker that
    died) saw no progress for NEWSLETTER_STALL_SECONDS: the broker lost their task, or a worker
    died. Enqueue them again; claiming makes a second copy of a live task harmless. Sends with
    nothing open left are finished."""
    now = now or timezone.now()
    stall = now - dt.timedelta(seconds=settings.NEWSLETTER_STALL_SECONDS)
    lease = now - dt.timedelta(seconds=settings.NEWSLETTER_CLAIM_LEASE_SECONDS)
    claimable = Delivery.objects.filter(send_id=OuterRef("pk")).filter(
        Q(status=D.PENDING, next_attempt_at__isnull=True)
        | Q(status=D.PENDING, next_attempt_at__lte=now)
        | Q(status=D.SENDING, claimed_at__lt=lease)
    )
    requeued = []
    for send in Send.objects.filter(status=S.SENDING).filter(
        Q(progress_at__isnull=True) | Q(progress_at__lt=stall)
    ):
        if Delivery.objects.filter(send=send).filter(status__in=(D.PENDING, D.SENDING)).exists():
            if Send.objects.filter(pk=send.pk).filter(Exists(claimable)).exists():
                _enqueue(send, batches=settings.NEWSLETTER_WORKERS)
                requeued.append(send.pk)
        else:
            send_finish_if_done(send_id=send.pk, now=now)
    return requeued


def _queue(send: Send) -> str:
    return settings.NEWSLETTER_URGENT_QUEUE if send.urgent else settings.NEWSLETTER_QUEUE


def _enqueue(send: Send, *, batches: int) -> None:
    from newsletters import tasks

    for _n in range(max(1, batches)):
        tasks.send_batch.apply_async((send.pk,), queue=_queue(send))


def _enqueue_after_commit(send: Send, *, batches: int) -> None:
    transaction.on_commit(lambda: _enqueue(send, batches=batches))


@transaction.atomic
def send_update(
    *,
    send: Send,
    edition: NewsletterPage,
    audience_units: Iterable[OrgUnit],
    job_categories: Iterable[JobCategory] = (),
    include_externals: bool = False,
    by: User | None,
) -> Send:
    """Change a draft send: its edition and audience. Only a draft: a scheduled send is taken
    back to a draft by cancelling it and creating it again."""
    access.require(by, access.WRITE, send)
    send = _lock(send)
    if send.status != S.DRAFT:
        raise _status_error(send)
    units = list({u.pk: u for u in audience_units}.values())
    _check_audience(org_unit=send.org_unit, units=units, by=by)
    send.edition = edition
    send.include_externals = include_externals
    send.save(update_fields=["edition", "include_externals"])
    return _audience_save(
        send, units=units, job_categories=job_categories, action="lms.newsletter_send.update", by=by
    )
