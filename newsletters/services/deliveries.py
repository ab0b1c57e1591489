"""The send engine: claim a batch of ledger rows, hand them to the SMTP server over one
connection, mark each row right after its SMTP transaction.

Exactly once, as far as SMTP allows:
- A worker claims rows in the database before it opens the SMTP transaction: status "sending",
  its own claim token and the time. On PostgreSQL the claim is SELECT ... FOR UPDATE SKIP LOCKED,
  so concurrent workers take disjoint rows without waiting for each other; on SQLite the claim is
  one short IMMEDIATE transaction (the database's single write lock from BEGIN).
- Each row is marked by a conditional UPDATE (still "sending", still this worker's token) right
  after the server answered: sent; failed with the answer (5xx); or back to pending with a later
  next_attempt_at (4xx, connection lost), until NEWSLETTER_MAX_ATTEMPTS.
- A worker that dies leaves its rows "sending". After NEWSLETTER_CLAIM_LEASE_SECONDS another
  worker may claim them again and flags them `possibly_duplicated`: the dead worker may have
  handed one of them (the one in flight) to the server before it died. That is the only way a
  recipient gets two copies, and such rows are counted on the send, never hidden.
- A worker stops a batch well inside its lease (half of it), and when the send is paused or
  cancelled, and hands its unsent rows back.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import time
import uuid
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

try:  # the marks of a batch are pipelined on PostgreSQL through psycopg 3
    from psycopg import errors as pg_errors
    from psycopg import generators as pg_generators
    from psycopg import pq
except ImportError:  # pragma: no cover - SQLite only
    pg_errors = pg_generators = pq = None

from lms.clock import as_of
from lms.smtpwire import wire_of
from newsletters.emails.editions import MessagePreparer, RenderedEdition
from newsletters.models import BouncingAddress, Delivery, Send
from newsletters.services.sends import send_finish_if_done

__all__ = [
    "BatchResult",
    "deliveries_claim",
    "deliveries_release",
    "delivery_mark_sent",
    "delivery_mark_deferred",
    "delivery_mark_failed",
    "deliveries_send_batch",
]

logger = logging.getLogger(__name__)

D = Delivery.Status
S = Send.Status

# How often (in messages) a batch re-reads its send's status to notice a pause or a cancel.
STATUS_CHECK_EVERY = 10
# Outcomes of one SMTP transaction.
PERMANENT, TRANSIENT, CONNECTION, STOP = "permanent", "transient", "connection", "stop"

# Patched by tests; the pacing of the rate limit.
_sleep = time.sleep
_monotonic = time.monotonic


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    released: int = 0
    # Rows this worker sent although another had claimed them again meanwhile (lease ran out).
    lost: int = 0
    # Claimable rows may remain: the task enqueues another batch.
    more: bool = False
    # The rate limit is used up: try again after this many seconds.
    wait_seconds: int = 0


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NEWSLETTER_CLAIM_LEASE_SECONDS)


def _claimable_q(now: dt.datetime) -> Q:
    return (
        Q(status=D.PENDING, next_attempt_at__isnull=True)
        | Q(status=D.PENDING, next_attempt_at__lte=now)
        | Q(status=D.SENDING, claimed_at__lt=now - _lease())
    )


def deliveries_claim(
    *, send_id: int, limit: int, token: str, now: dt.datetime | None = None
) -> list[Delivery]:
    """Claim up to `limit` claimable rows of a send that is sending, for the worker `token`.

    Rows held past the lease by another worker are claimed again and flagged possibly
    duplicated. Returns the claimed rows in ledger order."""
    now = now or timezone.now()
    if limit <= 0:
        return []
    if db_connection.vendor == "postgresql":
        rows = _claim_postgresql(send_id=send_id, limit=limit, token=token, now=now)
    else:
        rows = _claim_orm(send_id=send_id, limit=limit, token=token, now=now)
    if rows:
        # Not in the claim's transaction: a cancel holds the send's row while it skips the
        # pending rows, and the claim holds rows it skips.
        Send.objects.filter(pk=send_id).update(progress_at=now)
    return rows


def _claim_orm(*, send_id: int, limit: int, token: str, now: dt.datetime) -> list[Delivery]:
    """The claim as one short transaction (on SQLite an IMMEDIATE one: the database's single
    write lock from BEGIN)."""
    with transaction.atomic():
        rows = Delivery.objects.filter(
            _claimable_q(now), send_id=send_id, send__status=S.SENDING
        ).order_by("pk")
        if db_connection.features.has_select_for_update_skip_locked:
            # of=("self",): lock the ledger rows only, never the send's row.
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        ids = list(rows.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids).update(
            possibly_duplicated=Case(
                When(status=D.SENDING, then=Value(True)), default=F("possibly_duplicated")
            ),
            status=D.SENDING,
            claimed_at=now,
            claim_token=token,
        )
    return list(Delivery.objects.filter(pk__in=ids, claim_token=token).order_by("pk"))


_DELIVERY_FIELDS = [field.attname for field in Delivery._meta.concrete_fields]
# The claim on PostgreSQL: one statement (one round trip, one commit) that finds the claimable
# rows in ledger order through the open rows' index, locks them skipping those another worker
# holds (FOR UPDATE SKIP LOCKED: concurrent workers take disjoint rows without waiting), claims
# them and returns them whole. _claimable_q's condition, written out; the send's row is read,
# never locked.
_CLAIM_SQL = """
WITH picked AS (
    SELECT d.id FROM {delivery} d
    WHERE d.send_id = %(send)s
      AND ((d.status = %(pending)s AND d.next_attempt_at IS NULL)
           OR (d.status = %(pending)s AND d.next_attempt_at <= %(now)s)
           OR (d.status = %(sending)s AND d.claimed_at < %(lease)s))
      AND EXISTS (SELECT 1 FROM {send} s WHERE s.id = %(send)s AND s.status = %(sending)s)
    ORDER BY d.id
    LIMIT %(limit)s
    FOR UPDATE OF d SKIP LOCKED
)
UPDATE {delivery} d
SET possibly_duplicated = (d.possibly_duplicated OR d.status = %(sending)s),
    status = %(sending)s, claimed_at = %(now)s, claim_token = %(token)s
FROM picked WHERE d.id = picked.id
RETURNING {columns}
""".format(
    delivery=Delivery._meta.db_table,
    send=Send._meta.db_table,
    columns=", ".join(f"d.{field.column}" for field in Delivery._meta.concrete_fields),
)


def _claim_postgresql(*, send_id: int, limit: int, token: str, now: dt.datetime) -> list[Delivery]:
    params = {
        "send": send_id,
        "pending": D.PENDING,
        "sending": D.SENDING,
        "now": now,
        "lease": now - _lease(),
        "limit": limit,
        "token": token,
    }
    with db_connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, params)
        found = cursor.fetchall()
    alias = db_connection.alias
    rows = [Delivery.from_db(alias, _DELIVERY_FIELDS, values) for values in found]
    rows.sort(key=lambda row: row.pk)
    return rows


def deliveries_release(*, ids: list[int], token: str) -> int:
    """Hand rows this worker claimed but did not send back: pending again, or skipped when the
    send was cancelled meanwhile."""
    if not ids:
        return 0
    mine = Delivery.objects.filter(pk__in=ids, claim_token=token, status=D.SENDING)
    cancelled = mine.filter(send__status=S.CANCELLED).update(
        status=D.SKIPPED,
        skip_reason=Delivery.SkipReason.CANCELLED,
        claim_token="",
        claimed_at=None,
    )
    return cancelled + mine.update(status=D.PENDING, claim_token="", claimed_at=None)


def _mark(delivery: Delivery, token: str, **fields) -> bool:
    """Update a row this worker still holds. False: another worker claimed it again after the
    lease ran out; the row is then flagged, since both may have sent it."""
    updated = Delivery.objects.filter(pk=delivery.pk, claim_token=token, status=D.SENDING).update(
        attempts=F("attempts") + 1, **fields
    )
    if not updated:
        Delivery.objects.filter(pk=delivery.pk).update(possibly_duplicated=True)
        logger.warning("newsletter delivery %s was claimed again while in flight", delivery.pk)
    return bool(updated)


def delivery_mark_sent(*, delivery: Delivery, token: str, now: dt.datetime) -> bool:
    return _mark(
        delivery,
        token,
        status=D.SENT,
        sent_at=now,
        next_attempt_at=None,
        smtp_code=None,
        smtp_answer="",
    )


def _backoff(attempt: int) -> dt.timedelta:
    seconds = settings.NEWSLETTER_RETRY_BACKOFF_SECONDS * 2 ** max(0, attempt - 1)
    return dt.timedelta(seconds=min(seconds, 3600))


def delivery_mark_deferred(
    *, delivery: Delivery, token: str, code: int | None, answer: str, now: dt.datetime
) -> str:
    """A transient failure (4xx, connection lost): pending again after a back-off that doubles
    with each attempt, or failed once NEWSLETTER_MAX_ATTEMPTS are used. Returns the new status."""
    attempt = delivery.attempts + 1
    if attempt >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _mark(delivery, token, status=D.FAILED, smtp_code=code, smtp_answer=answer)
        return D.FAILED
    _mark(
        delivery,
        token,
        status=D.PENDING,
        next_attempt_at=now + _backoff(attempt),
        claim_token="",
        claimed_at=None,
        smtp_code=code,
        smtp_answer=answer,
    )
    return D.PENDING


def delivery_mark_failed(
    *,
    delivery: Delivery,
    token: str,
    code: int | None,
    answer: str,
    bouncing: bool,
    now: dt.datetime,
) -> bool:
    """A permanent failure (5xx) with the server's answer; a refused address is marked bouncing,
    and later sends skip it with that reason."""
    marked = _mark(delivery, token, status=D.FAILED, smtp_code=code, smtp_answer=answer)
    if bouncing and delivery.email:
        BouncingAddress.objects.update_or_create(
            email=delivery.email.lower(),
            defaults={
                "smtp_code": code or 550,
                "smtp_answer": answer,
                "send_id": delivery.send_id,
                "bounced_at": now,
            },
        )
    return marked


def _answer(raw) -> str:
    if isinstance(raw, bytes):
        return raw.decode("utf-8", "replace")
    return str(raw)


def smtp_outcome(error: Exception) -> tuple[str, int | None, str, bool]:
    """(outcome, code, answer, address refused) of an exception raised by one SMTP transaction.

    5xx is permanent; the address counts as bouncing when the server refused the recipient
    (RCPT), or answered with an address status (5.1.x) later. 4xx and anything unknown are
    transient. A refused sender stops the batch: it is no recipient's fault."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, raw = next(iter(error.recipients.values()), (None, b""))
        answer = _answer(raw)
        if code is not None and 500 <= code < 600:
            return PERMANENT, code, answer, True
        return TRANSIENT, code, answer, False
    if isinstance(error, smtplib.SMTPSenderRefused):
        return STOP, error.smtp_code, _answer(error.smtp_error), False
    if isinstance(error, smtplib.SMTPResponseException):
        code, answer = error.smtp_code, _answer(error.smtp_error)
        if 500 <= code < 600:
            return PERMANENT, code, answer, answer.lstrip().startswith("5.1.")
        if code == -1:
            return CONNECTION, None, answer, False
        return TRANSIENT, code, answer, False
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return CONNECTION, None, str(error) or type(error).__name__, False
    if isinstance(error, OSError):
        return CONNECTION, None, str(error) or type(error).__name__, False
    return TRANSIENT, None, f"{type(error).__name__}: {error}", False


_rendered_cache: dict[int, RenderedEdition] = {}


def _rendered(send_id: int) -> RenderedEdition:
    """The mail rendered at the send's start, read once per worker process and send."""
    cached = _rendered_cache.get(send_id)
    if cached is None:
        data = Send.objects.values_list("rendered", flat=True).get(pk=send_id)
        cached = RenderedEdition(**data)
        if len(_rendered_cache) > 8:
            _rendered_cache.clear()
        _rendered_cache[send_id] = cached
    return cached


def _allowance(now: dt.datetime) -> tuple[int, int]:
    """(rows to claim, seconds to wait): NEWSLETTER_BATCH_SIZE, less what the installation-wide
    NEWSLETTER_RATE_PER_MINUTE leaves of the last minute."""
    size = settings.NEWSLETTER_BATCH_SIZE
    rate = settings.NEWSLETTER_RATE_PER_MINUTE
    if not rate:
        return size, 0
    recent = Delivery.objects.filter(sent_at__gte=now - dt.timedelta(minutes=1)).count()
    room = rate - recent
    if room <= 0:
        return 0, max(1, 60 // max(1, rate))
    return min(size, room), 0


def _interval() -> float:
    """Seconds between two messages of one batch, so that NEWSLETTER_WORKERS batches together
    keep to NEWSLETTER_RATE_PER_MINUTE."""
    rate = settings.NEWSLETTER_RATE_PER_MINUTE
    return 60.0 * max(1, settings.NEWSLETTER_WORKERS) / rate if rate else 0.0


def _still_sending(send_id: int) -> bool:
    return Send.objects.filter(pk=send_id, status=S.SENDING).exists()


# The "sent" mark on PostgreSQL: a statement prepared once per database connection (parsed and
# planned once, not for each message), sent through libpq directly: no ORM, no SQL built per
# message.
_MARK_STATEMENT = b"lms_newsletter_delivery_sent"
_MARK_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET status = '{D.SENT}', sent_at = $1, "
    "next_attempt_at = NULL, smtp_code = NULL, smtp_answer = '', attempts = attempts + 1 "
    f"WHERE id = $2 AND claim_token = $3 AND status = '{D.SENDING}' "
    f"RETURNING (SELECT status FROM {Send._meta.db_table} WHERE id = $4)"
)
# The psycopg connections on which it is prepared (a new connection prepares it again).
_mark_prepared: weakref.WeakSet = weakref.WeakSet()


def _results_last(raw):
    """The last result of the statement in flight on a psycopg connection; raises the
    database's error. Waited for through psycopg, which lets other threads run meanwhile
    (libpq's own wait would hold the interpreter: a thread that holds a row lock the
    statement waits for could never release it)."""
    pgconn = raw.pgconn
    results = []
    # Most often the answer is already there (the next envelope travelled meanwhile): taken
    # as libpq reads it, without psycopg's wait loop; what is not there yet is waited for.
    pgconn.consume_input()
    while not pgconn.is_busy():
        result = pgconn.get_result()
        if result is None:
            break
        results.append(result)
    else:
        results += raw.wait(pg_generators.fetch_many(pgconn))
    answer = results[-1] if results else None
    if answer is None:
        raise pg_errors.InternalError("no answer from the database")
    if answer.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        raise pg_errors.error_from_result(answer, encoding=raw.info.encoding)
    return answer


def _mark_prepare(raw) -> None:
    """Prepare the mark on this connection, once."""
    if raw in _mark_prepared:
        return
    with db_connection.wrap_database_errors:
        raw.pgconn.send_prepare(_MARK_STATEMENT, _MARK_SQL.encode())
        if raw.pgconn.flush():
            raw.wait(pg_generators.send(raw.pgconn))
        _results_last(raw)
    _mark_prepared.add(raw)


class _SentMarks:
    """The "sent" marks of one batch: one conditional UPDATE per message (still "sending", still
    this worker's claim), sent right after the server's acceptance, that also reads the send's
    status (a pause or a cancel is noticed at the next message).

    On PostgreSQL the UPDATE is sent and its answer read by settle(), which the batch calls before
    the next message's "." (lms.smtpwire): the next envelope travels while the database commits,
    and no second message is ever accepted before the first one's mark is committed, so a killed
    worker still leaves at most one message unrecorded. Elsewhere the UPDATE waits at once.
    settle() must come before any other query of the batch."""

    def __init__(self, *, send_id: int, token: str, result: BatchResult):
        self.send_id, self.token, self.result = send_id, token, result
        # The send's status as of the last mark (None: as at the claim), and messages begun
        # since it was read.
        self.send_status: str | None = None
        self.unread = 0
        self._in_flight: Delivery | None = None
        self._pg = None
        if db_connection.vendor == "postgresql":
            db_connection.ensure_connection()
            raw = db_connection.connection
            if pg_generators is not None and hasattr(raw, "pgconn"):  # psycopg 3
                self._pg = raw
        # The connection itself, not django.db.connection's per-thread look-up at every use.
        self.db = db = connections[db_connection.alias]
        quote = db.ops.quote_name
        self.sql = (
            f"UPDATE {quote(Delivery._meta.db_table)} SET status = %s, sent_at = %s, "
            "next_attempt_at = NULL, smtp_code = NULL, smtp_answer = '', "
            "attempts = attempts + 1 WHERE id = %s AND claim_token = %s AND status = %s "
            f"RETURNING (SELECT status FROM {quote(Send._meta.db_table)} WHERE id = %s)"
        )
        if self._pg is not None:
            _mark_prepare(self._pg)
            # The prepared statement's parameters that are the same for every row of the
            # batch, as libpq takes them.
            self.pg_constants = (token.encode(), str(send_id).encode())

    def sent(self, delivery: Delivery, now: dt.datetime) -> None:
        if self._pg is None:
            with db_connection.cursor() as cursor:
                params = [
                    D.SENT,
                    db_connection.ops.adapt_datetimefield_value(now),
                    delivery.pk,
                    self.token,
                    D.SENDING,
                    self.send_id,
                ]
                cursor.execute(self.sql, params)
                row = cursor.fetchone()
            self._outcome(delivery, row[0] if row else None, found=row is not None)
            return
        token, send_id = self.pg_constants
        params = [now.isoformat().encode(), str(delivery.pk).encode(), token, send_id]
        pgconn = self._pg.pgconn
        db = self.db
        with db.wrap_database_errors:
            pgconn.send_query_prepared(_MARK_STATEMENT, params)
            self._in_flight = delivery
            if pgconn.flush():  # not all of it went out at once: wait until it has
                self._pg.wait(pg_generators.send(pgconn))
        if db.queries_logged:
            db.queries_log.append({"sql": _MARK_SQL, "time": "0.000"})

    def settle(self) -> None:
        """Read the answer to the UPDATE in flight, if any."""
        delivery, self._in_flight = self._in_flight, None
        if delivery is None:
            return
        with self.db.wrap_database_errors:
            answer = _results_last(self._pg)
            found = answer.ntuples > 0
            value = answer.get_value(0, 0) if found else None
        self._outcome(delivery, value.decode() if value is not None else None, found=found)

    def _outcome(self, delivery: Delivery, status: str | None, *, found: bool) -> None:
        if found:
            self.result.sent += 1
            self.send_status, self.unread = status, 0
            return
        # Another worker claimed the row again after the lease ran out: both may have sent it.
        self.result.lost += 1
        Delivery.objects.filter(pk=delivery.pk).update(possibly_duplicated=True)
        logger.warning("newsletter delivery %s was claimed again while in flight", delivery.pk)

    def still_sending(self, *, count: bool = True) -> bool:
        """Whether the send is still sending, as of the last mark read. Called before each
        message after the first (count=True): the database is asked when no mark has told for
        STATUS_CHECK_EVERY messages (when every message failed, say)."""
        if count:
            if self.unread >= STATUS_CHECK_EVERY:
                self.settle()
                sending = _still_sending(self.send_id)
                self.send_status, self.unread = (S.SENDING if sending else ""), 0
            self.unread += 1
        return self.send_status in (None, S.SENDING)


def _marks_asynchronous(on: bool) -> bool:
    """With NEWSLETTER_ASYNC_MARKS on PostgreSQL, the batch's commits after its claim (the claim
    itself is durable before any message is sent) do not wait for the disk; off again at the
    batch's end (the connection outlives the batch). True when it was switched."""
    if not settings.NEWSLETTER_ASYNC_MARKS or db_connection.vendor != "postgresql":
        return False
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off" if on else "RESET synchronous_commit")
    return True


def _close(connection) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection may fail to say goodbye; it is dropped either way
        logger.info("newsletter: closing a broken SMTP connection failed", exc_info=True)


def _claimable_left(send_id: int, now: dt.datetime) -> bool:
    return Delivery.objects.filter(
        _claimable_q(now), send_id=send_id, send__status=S.SENDING
    ).exists()


def _clock(now: dt.datetime | None) -> Callable[[], dt.datetime]:
    """The batch's clock: the real time, or one that starts at `now` (an earlier moment,
    lms.clock) and runs on from there, so that rows sent as of a past moment keep their order."""
    if now is None:
        return timezone.now
    start, real_start = as_of(now), timezone.now()
    return lambda: start + (timezone.now() - real_start)


def deliveries_send_batch(
    *, send_id: int, connection=None, now: dt.datetime | None = None
) -> BatchResult:
    """Claim one batch of the send's rows and send them over one SMTP connection (Django's
    get_connection(), or `connection`), marking each row right after its transaction.

    `now` (default: the current time) is the moment the batch starts, as of which its rows are
    claimed, sent and the send finished (the demo sends its past editions this way)."""
    clock = _clock(now)
    result = BatchResult()
    now = clock()
    limit, wait = _allowance(now)
    if wait:
        result.more, result.wait_seconds = True, wait
        return result
    token = uuid.uuid4().hex
    rows = deliveries_claim(send_id=send_id, limit=limit, token=token, now=now)
    result.claimed = len(rows)
    if not rows:
        send_finish_if_done(send_id=send_id, now=now)
        return result
    smtp = connection or get_connection(fail_silently=False)
    # Django's SMTP backend is driven directly, with each message's bytes made from the
    # edition serialised once; any other backend gets EmailMessages.
    wire = wire_of(smtp)
    opened = False
    connection_failures = 0
    interval = _interval()
    started = _monotonic()
    budget = settings.NEWSLETTER_CLAIM_LEASE_SECONDS / 2
    marks = _SentMarks(send_id=send_id, token=token, result=result)
    asynchronous = False
    index = 0

    def failed(delivery: Delivery, error: Exception) -> bool:
        """Record an SMTP transaction that did not end in acceptance; False: stop the batch."""
        nonlocal opened, connection_failures
        marks.settle()
        outcome, code, answer, refused = smtp_outcome(error)
        moment = clock()
        if outcome == PERMANENT:
            delivery_mark_failed(
                delivery=delivery,
                token=token,
                code=code,
                answer=answer,
                bouncing=refused,
                now=moment,
            )
            result.failed += 1
        else:
            status = delivery_mark_deferred(
                delivery=delivery, token=token, code=code, answer=answer, now=moment
            )
            result.deferred += status == D.PENDING
            result.failed += status == D.FAILED
        if outcome in (CONNECTION, STOP):
            _close(wire or smtp)
            opened = False
            connection_failures += 1
            if outcome == STOP or connection_failures >= 2:
                return False
        return True

    try:
        asynchronous = _marks_asynchronous(True)
        preparer = MessagePreparer(_rendered(send_id))
        while index < len(rows):
            delivery = rows[index]
            elapsed = _monotonic() - started
            if elapsed > budget or (index and not marks.still_sending()):
                break
            if interval and index:
                _sleep(max(0.0, started + interval * index - _monotonic()))
            index += 1
            try:
                # Inside: a message that cannot be built fails its own row, not the batch.
                prepared = preparer.wire(delivery) if wire else None
                message = None if prepared else preparer.build(delivery, connection=smtp)
                if not opened:
                    (wire or smtp).open()
                    opened = True
                if prepared:
                    # The envelope up to DATA, while the last mark commits.
                    wire.begin(preparer.envelope_from, *prepared)
            except Exception as error:  # every answer of the server is recorded on the row
                if failed(delivery, error):
                    continue
                break
            marks.settle()
            if not marks.still_sending(count=False):
                # Paused or cancelled meanwhile: this row goes back unsent (a message begun on
                # the wire is dropped unfinished with the connection).
                index -= 1
                break
            try:
                if prepared:
                    wire.finish()
                else:
                    smtp.send_messages([message])
            except Exception as error:
                if failed(delivery, error):
                    continue
                break
            connection_failures = 0
            marks.sent(delivery, clock())
    finally:
        # Whatever stopped the batch (a pause, the lease, a lost server, an error of our own):
        # the rows not yet handed to the server go back at once, not after the lease.
        try:
            marks.settle()
        finally:
            try:
                result.released = deliveries_release(ids=[d.pk for d in rows[index:]], token=token)
            finally:
                try:
                    if opened:
                        _close(wire or smtp)
                finally:
                    if asynchronous:
                        _marks_asynchronous(False)
    now = clock()
    finished = send_finish_if_done(send_id=send_id, now=now, progress=True)
    # A finished send has no open row, let alone a claimable one.
    result.more = not finished and _claimable_left(send_id, now)
    return result
