"""The send engine over Django's SMTP backend (lms.smtpwire): each mail made from its variant
serialised once, handed to a real SMTP server (aiosmtpd) with the final "." held until the
previous row's mark is read; the server's answers at MAIL, RCPT and DATA recorded on the rows as
through smtplib's sendmail()."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections import Counter
from email import policy as email_policy

import pytest
from django.core.mail import get_connection
from django.core.mail.message import sanitize_address

from newsletters.emails.editions import (
    MessagePreparer,
    RenderedEdition,
    _header_line,
    message_build,
)
from newsletters.models import BouncingAddress, Delivery, Send
from newsletters.services import deliveries as engine
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = Delivery.Status


class Server:
    """Accepts every message except for the addresses in `answers`, answered at RCPT ("rcpt")
    or after the message ("data") with the given reply. Keeps what it accepted."""

    def __init__(self, pipelining: bool = False):
        self.answers: dict[str, tuple[str, str]] = {}
        self.accepted: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()
        self.pipelining = pipelining
        # Envelope commands that came in one read with the one before (pipelined).
        self.pipelined = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.pipelining:  # aiosmtpd takes pipelined commands in order, but does not say so
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if server._reader._buffer.startswith(b"rcpt TO:"):  # already read with this MAIL
            self.pipelined += 1
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        stage, reply = self.answers.get(address, ("", ""))
        if stage == "rcpt":
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            stage, reply = self.answers.get(address, ("", ""))
            if stage == "data":
                return reply
        with self.lock:
            for address in envelope.rcpt_tos:
                self.accepted.append((address, envelope.original_content))
        return "250 2.0.0 OK"

    def count(self) -> Counter:
        with self.lock:
            return Counter(address for address, _ in self.accepted)


@pytest.fixture(params=[False, True], ids=["one-by-one", "pipelining"])
def server(request):
    """The SMTP server, without and with PIPELINING advertised (RFC 2920)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Server(pipelining=request.param)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def smtp(port):
    backend = "django.core.mail.backends.smtp.EmailBackend"
    return get_connection(backend, host="127.0.0.1", port=port)


def statuses(send):
    return dict(Delivery.objects.filter(send=send).values_list("email", "status"))


def test_every_recipient_gets_one_message_through_the_smtp_backend(make_send, staff, server):
    handler, port = server
    send = make_send(include_externals=True, start=True)
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp(port))
    addresses = set(Delivery.objects.filter(send=send).values_list("email", flat=True))
    assert result.sent == len(addresses) == 4
    assert handler.count() == dict.fromkeys(addresses, 1)
    assert set(statuses(send).values()) == {D.SENT}
    assert Send.objects.get(pk=send.pk).status == Send.Status.SENT
    messages = {a: email.message_from_bytes(raw) for a, raw in handler.accepted}
    external = messages["lektor@gym.dk"]
    assert (
        external["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:8000/nyhedsbrev/afmeld/")
    )
    assert external["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe" not in messages["laerer@hj.dk"]
    assert len({m["Message-ID"] for m in messages.values()}) == 4
    assert all(m["To"] == a for a, m in messages.items())
    # With PIPELINING, MAIL, RCPT and DATA reach the server in one write.
    assert handler.pipelined == (4 if handler.pipelining else 0)


def _normalised(raw: bytes) -> bytes:
    """The message without what differs between two builds: the MIME boundary, the Date and
    the Message-ID."""
    boundary = re.search(rb'boundary="([^"]+)"', raw).group(1)
    raw = raw.replace(boundary, b"BOUNDARY")
    raw = re.sub(rb"\r\nDate: [^\r]*\r\n", b"\r\nDate: D\r\n", raw)
    return re.sub(rb"\r\nMessage-ID: [^\r]*(\r\n [^\r]*)*\r\n", b"\r\nMessage-ID: M\r\n", raw)


def test_the_wire_bytes_are_the_mail_built_in_full(make_send, staff, tree):
    PersonFactory(org_unit=tree["HJ-GYM"], email=f"{'x' * 70}@gym.dk")
    PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"{'y' * 75}@hj.dk")
    send = make_send(include_externals=True, start=True)
    rendered = RenderedEdition(**send.rendered)
    preparer = MessagePreparer(rendered)
    rows = list(Delivery.objects.filter(send=send).order_by("pk"))
    assert {row.external for row in rows} == {True, False}
    for row in rows:
        address, raw = preparer.wire(row)
        assert address == sanitize_address(row.email, "utf-8")
        full = message_build(rendered, delivery=row).message().as_bytes(linesep="\r\n")
        assert _normalised(raw) == _normalised(full), row.email
    assert preparer.envelope_from == sanitize_address(rendered.from_email, "utf-8")


def test_a_header_made_per_recipient_is_written_as_the_generator_writes_it():
    policy = email_policy.compat32.clone(linesep="\r\n")
    values = [
        "a@hj.dk",
        f"{'a' * 60}@hj.dk",
        f"{'a' * 70}@hj.dk",
        f"{'a' * 80}@hj.dk",
        "<1.2.3@host.example.dk>",
        "Mon, 30 Nov 2026 14:01:01 -0000",
        "Æble <a@hj.dk>",
    ]
    for name in ("To", "Message-ID", "Date"):
        for value in values:
            assert _header_line(name, value) == policy.fold_binary(name, value), (name, value)


def test_refusals_at_rcpt_and_after_the_message_are_recorded_as_sendmail_raises_them(
    make_send, staff, server, tree
):
    handler, port = server
    handler.answers = {
        "laerer@hj.dk": ("rcpt", "550 5.1.1 No such user"),
        "kontor@hj.dk": ("rcpt", "451 4.3.0 Try again later"),
        "Paedagog@hj.dk": ("data", "554 5.6.0 Message refused"),
    }
    PersonFactory(org_unit=tree["HJ-SKOLE"], email="ok@hj.dk")
    send = make_send(start=True)
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp(port))
    assert (result.sent, result.failed, result.deferred) == (1, 2, 1)
    rows = {d.email: d for d in Delivery.objects.filter(send=send)}
    assert rows["ok@hj.dk"].status == D.SENT
    assert (rows["laerer@hj.dk"].status, rows["laerer@hj.dk"].smtp_code) == (D.FAILED, 550)
    assert "No such user" in rows["laerer@hj.dk"].smtp_answer
    assert (rows["kontor@hj.dk"].status, rows["kontor@hj.dk"].smtp_code) == (D.PENDING, 451)
    assert (rows["Paedagog@hj.dk"].status, rows["Paedagog@hj.dk"].smtp_code) == (D.FAILED, 554)
    # A refused recipient is bouncing; a refused message (5.6.0) is no address's fault.
    assert set(BouncingAddress.objects.values_list("email", flat=True)) == {"laerer@hj.dk"}
    assert handler.count() == {"ok@hj.dk": 1}


def test_a_pause_seen_while_a_message_is_held_drops_it_unfinished(make_send, staff, server):
    handler, port = server
    send = make_send(start=True)
    original = engine._SentMarks.settle

    def settle(marks):
        original(marks)
        if marks.result.sent == 1:  # the first mark is read: now the send is paused
            Send.objects.filter(pk=send.pk).update(status=Send.Status.PAUSED)
            marks.send_status = Send.Status.PAUSED

    engine._SentMarks.settle = settle
    try:
        result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp(port))
    finally:
        engine._SentMarks.settle = original
    assert (result.sent, result.released) == (1, 2)
    assert sum(handler.count().values()) == 1
    assert sorted(statuses(send).values()) == [D.PENDING, D.PENDING, D.SENT]


def test_a_refused_sender_stops_the_batch_and_hands_the_rows_back(make_send, staff, server):
    handler, port = server
    refuse = "553 5.7.1 Sender not allowed"

    async def handle_MAIL(server, session, envelope, address, mail_options):
        return refuse

    handler.handle_MAIL = handle_MAIL
    send = make_send(start=True)
    result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp(port))
    # The first row is recorded with the answer (a transient outcome: no address's fault), the
    # others go back unsent; the connection is in step (no message was half accepted).
    assert (result.sent, result.deferred, result.released) == (0, 1, 2)
    assert handler.count() == {}
    answers = set(Delivery.objects.filter(send=send).values_list("smtp_code", flat=True))
    assert answers == {553, None}


def test_async_marks_commit_without_waiting_for_the_disk_during_the_batch_only(
    make_send, staff, server, settings
):
    """NEWSLETTER_ASYNC_MARKS on PostgreSQL: the marks' commits do not wait for the disk; the
    connection is as before once the batch is over (it outlives the batch)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    settings.NEWSLETTER_ASYNC_MARKS = True
    handler, port = server
    send = make_send(start=True)
    seen = []
    original_settle = engine._SentMarks.settle

    def settle(marks):
        original_settle(marks)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])

    engine._SentMarks.settle = settle
    try:
        result = engine.deliveries_send_batch(send_id=send.pk, connection=smtp(port))
    finally:
        engine._SentMarks.settle = original_settle
    assert result.sent == 3
    assert set(seen) == {"off"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
