"""One SMTP connection of Django's SMTP backend, driven a message at a time as bytes that are
already made, with the server's acceptance held back until the caller says so.

`smtplib.SMTP.sendmail()` is one call from MAIL FROM to the final "." and the server's answer to
it, the moment the server takes the message over. A sender that must record each message in a
database right after that answer, and before the next message is accepted, can overlap that
record with the next message's envelope: `begin()` sends MAIL FROM, RCPT TO and DATA (in one
write when the server advertises PIPELINING, RFC 2920) and reads their answers; `finish()`
sends the message with its final "." in one write and reads the answer. A process killed
between the two leaves the server inside DATA without a message, which it discards.

The answers and errors are sendmail()'s: SMTPSenderRefused, SMTPRecipientsRefused (one
recipient), SMTPDataError, SMTPServerDisconnected; the connection is reset after a refusal and
closed after a 421, as sendmail() does. `wire_of()` finds the SMTP backend in a connection
(through lms.mail.HeaderCleaningBackend) or answers None for any other backend (locmem, files,
a test's fake), which are then used through send_messages() as usual.
"""

from __future__ import annotations

import functools
import re
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

__all__ = ["SMTPWire", "wire_of"]

_CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")
# An addr-spec that smtplib.quoteaddr() gives back unchanged in angle brackets (dot-atom local
# part, host name): quoted without parsing it again (parseaddr is most of an envelope's cost).
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)


def _quoted(address: str) -> str:
    """The address as smtplib's mail() and rcpt() write it."""
    if _PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return _quoted_parsed(address)


@functools.lru_cache(maxsize=64)
def _quoted_parsed(address: str) -> str:
    """An address with a name (the sender's, the same for every message) parsed once."""
    return smtplib.quoteaddr(address)


def wire_of(connection) -> SMTPWire | None:
    """An SMTPWire over `connection` when it is (or wraps) Django's SMTP backend, else None."""
    backend = getattr(connection, "inner", connection)
    if isinstance(backend, SMTPBackend):
        return SMTPWire(backend)
    return None


class SMTPWire:
    def __init__(self, backend: SMTPBackend):
        self.backend = backend
        # The bytes of a message begun and not finished: the connection is inside DATA.
        self.holding = b""

    def open(self) -> None:
        """Connect (TLS and login as the backend is configured) and say EHLO."""
        self.backend.open()
        smtp = self.backend.connection
        if smtp is None:  # a backend that fails silently failed
            raise smtplib.SMTPServerDisconnected("could not connect to the SMTP server")
        if smtp.sock is not None:
            # begin() and finish() are two writes: without this, the second waits for the
            # server's delayed acknowledgement of the first (Nagle's algorithm).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp.ehlo_or_helo_if_needed()

    @property
    def _smtp(self) -> smtplib.SMTP:
        smtp = self.backend.connection
        if smtp is None:
            raise smtplib.SMTPServerDisconnected("not connected")
        return smtp

    def begin(self, from_addr: str, to_addr: str, message: bytes) -> None:
        """MAIL FROM, RCPT TO and DATA for `message` (CRLF line ends, not dot-stuffed), which
        finish() sends; raises as sendmail() does for a refused sender, recipient or DATA.

        When the server advertises PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write
        and their three answers are read after it: one round trip instead of three."""
        smtp = self._smtp
        options = []
        if smtp.does_esmtp and smtp.has_extn("size"):
            options.append(f"size={len(message)}")
        if smtp.does_esmtp and smtp.has_extn("pipelining"):
            self._envelope_pipelined(smtp, from_addr, to_addr, options)
        else:
            self._envelope(smtp, from_addr, to_addr, options)
        if message.startswith(b".") or b"\n." in message:
            message = _LEADING_DOT.sub(b"..", message)
        if not message.endswith(_CRLF):
            message += _CRLF
        # The server waits inside DATA; the message goes with its "." in one write (finish()),
        # which the server reads at once instead of waking for the "." on its own.
        self.holding = message

    def _envelope(self, smtp: smtplib.SMTP, from_addr: str, to_addr: str, options) -> None:
        code, answer = smtp.mail(from_addr, options)
        if code != 250:
            self._refused(smtp, code)
            raise smtplib.SMTPSenderRefused(code, answer, from_addr)
        code, answer = smtp.rcpt(to_addr)
        if code not in (250, 251):
            self._refused(smtp, code)
            raise smtplib.SMTPRecipientsRefused({to_addr: (code, answer)})
        smtp.putcmd("data")
        code, answer = smtp.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, answer)

    def _envelope_pipelined(self, smtp: smtplib.SMTP, from_addr: str, to_addr: str, options):
        """The three commands as smtplib's mail(), rcpt() and data() write them, in one write;
        every answer is read (in order) before a refusal is raised, so that the connection is
        back in step for the RSET that follows it (after a 421 the server has closed it)."""
        option_list = "".join(f" {option}" for option in options)
        commands = (
            f"mail FROM:{_quoted(from_addr)}{option_list}\r\nrcpt TO:{_quoted(to_addr)}\r\ndata\r\n"
        )
        if any(c in from_addr + to_addr for c in "\r\n"):  # as smtplib's putcmd() refuses
            raise ValueError("an address holds a line break")
        smtp.send(commands)
        answers = []
        while len(answers) < 3:
            answers.append(smtp.getreply())
            if answers[-1][0] == 421:  # the server closes the connection: no more answers
                answers += [answers[-1]] * (3 - len(answers))
        (mail_code, mail_answer), (rcpt_code, rcpt_answer), (data_code, data_answer) = answers
        if mail_code != 250:
            if data_code == 354:  # a server that took DATA all the same: end the empty message
                smtp.send(b"." + _CRLF)
                smtp.getreply()
            self._refused(smtp, mail_code)
            raise smtplib.SMTPSenderRefused(mail_code, mail_answer, from_addr)
        if rcpt_code not in (250, 251):
            if data_code == 354:
                smtp.send(b"." + _CRLF)
                smtp.getreply()
            self._refused(smtp, rcpt_code)
            raise smtplib.SMTPRecipientsRefused({to_addr: (rcpt_code, rcpt_answer)})
        if data_code != 354:
            raise smtplib.SMTPDataError(data_code, data_answer)

    def finish(self) -> None:
        """The message and its final ".": returns once the server has accepted it, raises
        SMTPDataError with its answer when it refused it."""
        smtp = self._smtp
        message, self.holding = self.holding, b""
        smtp.send(message + b"." + _CRLF)
        code, answer = smtp.getreply()
        if code != 250:
            self._refused(smtp, code)
            raise smtplib.SMTPDataError(code, answer)

    def send(self, from_addr: str, to_addr: str, message: bytes) -> None:
        self.begin(from_addr, to_addr, message)
        self.finish()

    @staticmethod
    def _refused(smtp: smtplib.SMTP, code: int) -> None:
        if code == 421:
            smtp.close()
        else:
            smtp._rset()

    def close(self) -> None:
        """QUIT; inside a message (an error between begin and finish) the socket is only
        closed, so that the server discards the unfinished message instead of waiting for
        its end."""
        smtp = self.backend.connection
        if self.holding and smtp is not None:
            self.holding = b""
            smtp.close()
            self.backend.connection = None
            return
        self.backend.close()
