"""One SMTP connection of Django's SMTP backend, driven a message at a time as bytes that are
already made, with the server's acceptance held back until the caller says so.

`smtplib.SMTP.sendmail()` is one call from MAIL FROM to the final "." and the server's answer to
it, the moment the server takes the message over. A sender that must record each message in a
database right after that answer, and before the next message is accepted, can overlap that
record with the next message's envelope: `begin()` sends MAIL FROM, RCPT TO, DATA and the
message up to, not including, the final "."; `finish()` sends the "." and reads the answer. A
process killed between the two leaves the server a message without its end, which it discards.

The answers and errors are sendmail()'s: SMTPSenderRefused, SMTPRecipientsRefused (one
recipient), SMTPDataError, SMTPServerDisconnected; the connection is reset after a refusal and
closed after a 421, as sendmail() does. `wire_of()` finds the SMTP backend in a connection
(through lms.mail.HeaderCleaningBackend) or answers None for any other backend (locmem, files,
a test's fake), which are then used through send_messages() as usual.
"""

from __future__ import annotations

import re
import smtplib
import socket

from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

__all__ = ["SMTPWire", "wire_of"]

_CRLF = b"\r\n"
_LEADING_DOT = re.compile(rb"(?m)^\.")


def wire_of(connection) -> SMTPWire | None:
    """An SMTPWire over `connection` when it is (or wraps) Django's SMTP backend, else None."""
    backend = getattr(connection, "inner", connection)
    if isinstance(backend, SMTPBackend):
        return SMTPWire(backend)
    return None


class SMTPWire:
    def __init__(self, backend: SMTPBackend):
        self.backend = backend
        # A message whose "." is not sent yet: the connection is inside DATA.
        self.holding = False

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
        """MAIL FROM, RCPT TO, DATA and `message` (CRLF line ends, not dot-stuffed), all but its
        final "."; raises as sendmail() does for a refused sender, recipient or DATA."""
        smtp = self._smtp
        options = []
        if smtp.does_esmtp and smtp.has_extn("size"):
            options.append(f"size={len(message)}")
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
        if message.startswith(b".") or b"\n." in message:
            message = _LEADING_DOT.sub(b"..", message)
        if not message.endswith(_CRLF):
            message += _CRLF
        self.holding = True
        smtp.send(message)

    def finish(self) -> None:
        """The final ".": returns once the server has accepted the message, raises
        SMTPDataError with its answer when it refused it."""
        smtp = self._smtp
        smtp.send(b"." + _CRLF)
        self.holding = False
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
            self.holding = False
            smtp.close()
            self.backend.connection = None
            return
        self.backend.close()
