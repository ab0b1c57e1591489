"""The one way the platform builds and sends a mail.

Header values are made from what people type: a meeting's title goes into a subject, a person's
name into an address. Django refuses a header that holds a line break (BadHeaderError), so a
single carriage return in a meeting's title made every mail about that meeting fail, and a library
that did not refuse would have let the title add headers of its own ("Bcc: ..."). Here every header
value is made one line of text before the message is built: any control character (CR, LF, tab,
NUL, the Unicode line and paragraph separators ...) becomes a space, and runs of space become one.

`mail_send()` builds and sends the platform's own mails; `message_clean()` does the same cleaning
to a message built elsewhere (allauth's, through lms.people.adapters) just before it is sent. The
EMAIL_BACKEND, HeaderCleaningBackend, cleans every message once more on its way to the real
backend (settings.LMS_EMAIL_BACKEND), so that mails the platform does not build itself (Wagtail's
moderation and comment notifications) are cleaned too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

# C0 and C1 controls, DEL, and the Unicode line, paragraph and next-line separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def absolute_url(path: str) -> str:
    """`path` (an absolute path, "/..."; "" for the root) on LMS_BASE_URL: the address every
    link in a mail uses."""
    return settings.LMS_BASE_URL.rstrip("/") + path


def header_clean(value: object) -> str:
    """One line of text for a header: control characters become spaces, runs of white space one
    space, no space at either end."""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def address_clean(value: str | tuple[str, str]) -> str:
    """An address for To/From/Cc/Reply-To, made one line.

    Pass a name as ("Name", "a@example.dk"): the name is then quoted as needed, whatever it holds.
    A string ("a@example.dk", "Name <a@example.dk>") is only made one line; it is not re-parsed,
    since a name with a colon or a comma in it would read as other addresses."""
    if isinstance(value, tuple):
        name, address = header_clean(value[0]), header_clean(value[1])
        if not name:
            return address
        # Quoted, not encoded: Django encodes a non-ASCII name when it writes the header.
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{address}>'
    return header_clean(value)


def message_clean(message: EmailMessage) -> EmailMessage:
    """Clean every header value of `message` in place (see the module docstring) and return it."""
    message.subject = header_clean(message.subject)
    if message.from_email:
        message.from_email = address_clean(message.from_email)
    for field in ("to", "cc", "bcc", "reply_to"):
        setattr(message, field, [address_clean(a) for a in getattr(message, field)])
    message.extra_headers = {
        header_clean(name): header_clean(value) for name, value in message.extra_headers.items()
    }
    return message


def mail_send(
    *,
    subject: str,
    to: Sequence[str | tuple[str, str]],
    text: str,
    html: str | None = None,
    attachments: Iterable[MIMEBase] = (),
    from_email: str | None = None,
    reply_to: Sequence[str | tuple[str, str]] = (),
    headers: dict[str, str] | None = None,
) -> int:
    """Build a mail (plain text, with an HTML alternative when given), clean its headers and send
    it. Returns the number of messages sent (1, or 0 when the backend failed silently)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(to),
        reply_to=list(reply_to),
        headers=dict(headers or {}),
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment)
    return message_clean(message).send()


class HeaderCleaningBackend(BaseEmailBackend):
    """The EMAIL_BACKEND: cleans each message's headers, then hands it to LMS_EMAIL_BACKEND."""

    def __init__(self, fail_silently: bool = False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.inner = get_connection(
            settings.LMS_EMAIL_BACKEND, fail_silently=fail_silently, **kwargs
        )

    def open(self):
        return self.inner.open()

    def close(self):
        return self.inner.close()

    def send_messages(self, email_messages):
        return self.inner.send_messages([message_clean(m) for m in email_messages])
