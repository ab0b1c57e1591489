"""The newsletter mail: rendered once per send, personalised cheaply per recipient.

`edition_render` renders the edition's HTML (CSS inlined by css-inline: mail clients drop
<style>) and its plain-text alternative once, in two variants: for internal staff, who cannot
unsubscribe from work communication, and for external recipients, whose variant holds a
placeholder for their own opt-out link. `message_build` only swaps that placeholder and adds the
RFC 8058 one-click headers (List-Unsubscribe, List-Unsubscribe-Post) for external recipients.
Every mail links to its web version ("Læs i browseren") and to the route to report a concern.
No tracking pixel and no tracked link: reach is what was delivered.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email import policy as email_policy
from email.utils import formatdate
from html import unescape

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid, sanitize_address
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from lms.concerns.links import intake_absolute_url
from lms.mail import absolute_url, address_clean, header_clean, message_clean
from lms.site.models import InfohusSettings
from lms.site.teasers import Teaser, teasers_for
from newsletters.blocks import item_references
from newsletters.models import Delivery, NewsletterPage, Send

__all__ = [
    "RenderedEdition",
    "concern_url",
    "edition_render",
    "infohus_name",
    "inline_css",
    "MessagePreparer",
    "message_build",
    "optout_token",
    "optout_token_read",
]

# A stand-in for the recipient's own opt-out address: a valid URL, so that it passes the
# template's escaping and css-inline's parser unchanged, and is replaced by str.replace.
OPTOUT_PLACEHOLDER = "https://optout.invalid/nl-optout-placeholder"
OPTOUT_SALT = "newsletters.optout"

_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')
_inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


@dataclass(frozen=True)
class RenderedEdition:
    send_id: int
    subject: str
    from_email: str
    web_url: str
    html_internal: str
    html_external: str
    text_internal: str
    text_external: str


def optout_token(delivery: Delivery) -> str:
    """A signed token naming the delivery; no expiry: a link in an old mail keeps working."""
    return signing.dumps(delivery.pk, salt=OPTOUT_SALT, compress=False)


def optout_token_read(token: str) -> int | None:
    """The delivery id in an opt-out token, or None when it was not signed by us."""
    try:
        value = signing.loads(token, salt=OPTOUT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _absolute(html: str, root: str) -> str:
    return _RELATIVE.sub(lambda m: f"{m.group(1)}{root}/", html)


def _concern_url(edition: NewsletterPage) -> str:
    return concern_url(edition.get_site())


def concern_url(site) -> str:
    """Where "Er du bekymret?" leads on `site` (every mail's footer): the concern intake, or the
    municipality's own (lms.concerns.links)."""
    return intake_absolute_url(site=site)


def _page_url(page: Page, site) -> str:
    """A page's address on LMS_BASE_URL, as every other link in the platform's mails (the
    Wagtail site's own host name is "localhost:80" until an administrator sets it)."""
    return absolute_url(page.relative_url(site))


def _infohus_name(edition: NewsletterPage) -> str:
    return infohus_name(edition.get_site())


def infohus_name(site) -> str:
    """The Infohus's name on `site` (None: the installation's), for the mails' footer."""
    name = InfohusSettings.for_site(site).infohus_name if site is not None else ""
    return name or settings.WAGTAIL_SITE_NAME


def _rich_text(value) -> str:
    return expand_db_html(value.source if hasattr(value, "source") else str(value))


def _text_of_html(html: str) -> str:
    """Plain text of rich text: links as "text (address)", paragraphs apart."""
    html = re.sub(
        r'<a\s[^>]*href="([^"]+)"[^>]*>(.*?)</a>', lambda m: f"{m.group(2)} ({m.group(1)})", html
    )
    html = re.sub(r"</(p|h\d|li)>", "\n", html)
    html = re.sub(r"<li[^>]*>", "- ", html)
    lines = [" ".join(unescape(strip_tags(line)).split()) for line in html.split("\n")]
    return "\n".join(line for line in lines if line)


def _item_text(teaser: Teaser | None, note: str) -> str:
    """A linked item in the plain-text mail; nothing when the item is gone."""
    if teaser is None:
        return ""
    lines = [f"{teaser.kind_label}: {teaser.title}"]
    if teaser.facts:
        lines.append(" \u00b7 ".join(teaser.facts))
    lines += [text for text in (teaser.line, " ".join((note or "").split())) if text]
    lines.append(teaser.url)
    return "\n".join(lines)


def _block_text(block, root: str, teasers: dict[str, Teaser] | None = None) -> str:
    kind, value = block.block_type, block.value
    if kind == "heading":
        return f"{value}\n{'=' * len(str(value))}"
    if kind == "rich_text":
        return _text_of_html(_absolute(_rich_text(value), root))
    if kind == "image":
        caption = f" ({value['caption']})" if value.get("caption") else ""
        return f"[{value['alt_text']}]{caption}"
    if kind == "video":
        transcript = _text_of_html(_absolute(_rich_text(value["transcript"]), root))
        return f"{value['title']}: {value['url']}\n{transcript}"
    if kind == "quote":
        by = f"\n\u2013 {value['attribution']}" if value.get("attribution") else ""
        return f"\u201c{value['quote']}\u201d{by}"
    if kind == "call_to_action":
        return f"{value['text']}: {value['url']}"
    if kind == "linked_item":
        return _item_text((teasers or {}).get(value.get("item")), value.get("note", ""))
    return ""


def edition_render(*, send: Send) -> RenderedEdition:
    """Render the send's edition once: both variants, HTML and text. Queries do not grow with
    the number of recipients."""
    edition = NewsletterPage.objects.get(pk=send.edition_id)
    root = absolute_url("")
    context = {
        "edition": edition,
        "infohus_name": _infohus_name(edition),
        "web_url": _page_url(edition, edition.get_site()),
        "concern_url": _concern_url(edition),
        "base_url": root,
        "mail": True,
    }
    with translation.override(settings.LANGUAGE_CODE):
        # The items the body points at (their dates in Danish): one query per kind, however
        # many the edition picks.
        context["teasers"] = teasers_for(item_references(edition.body))
        htmls = {}
        for variant, optout in (("internal", None), ("external", OPTOUT_PLACEHOLDER)):
            html = render_to_string(
                "newsletters/mail/edition.html", {**context, "optout_url": optout}
            )
            htmls[variant] = _inliner.inline(_absolute(html, root))
        blocks_text = (_block_text(b, root, context["teasers"]) for b in edition.body)
        body = "\n\n".join(text for text in blocks_text if text)
        texts = {
            variant: render_to_string(
                "newsletters/mail/edition.txt",
                {**context, "optout_url": optout, "body_text": body},
            )
            for variant, optout in (("internal", None), ("external", OPTOUT_PLACEHOLDER))
        }
    return RenderedEdition(
        send_id=send.pk,
        subject=header_clean(f"{edition.title} \u2013 {edition.edition_label}"),
        from_email=settings.DEFAULT_FROM_EMAIL,
        web_url=context["web_url"],
        html_internal=htmls["internal"],
        html_external=htmls["external"],
        text_internal=texts["internal"],
        text_external=texts["external"],
    )


def inline_css(html: str) -> str:
    """Relative links made absolute and the CSS inlined (mail clients drop <style>)."""
    return _inliner.inline(_absolute(html, absolute_url("")))


def optout_url(delivery: Delivery) -> str:
    path = reverse("newsletters:optout", kwargs={"token": optout_token(delivery)})
    return absolute_url(path)


# Stand-ins in a variant's serialised message, swapped per recipient. The header stand-ins are
# short and of plain characters, so that the template's header lines are never folded.
_TO_PLACEHOLDER = "nl-recipient@placeholder.invalid"
_ID_PLACEHOLDER = "<nl-message-id@placeholder.invalid>"
_DATE_PLACEHOLDER = "nl-date-placeholder"
_UNSUBSCRIBE_PLACEHOLDER = f"<{OPTOUT_PLACEHOLDER}>"

# How the mail's headers are written (Django's messages keep the compat32 policy): used for the
# headers made per recipient, so that they are the bytes the full build would write.
_POLICY = email_policy.compat32.clone(linesep="\r\n")
# An address or a Message-ID that is written as it is: ASCII, no white space, no quoting.
_PLAIN = re.compile(r"[!#-'*+\-/-9=?A-Z^-~.@<>]+", re.ASCII)
# A dot-atom address@domain, the same on the envelope as after sanitize_address().
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
)
# RFC 5322's longest line: Django writes longer ones quoted-printable instead of 8bit.
_LINE_LIMIT = 998


def _header_line(name: str, value: str) -> bytes:
    """`name: value` and its line end, as the mail's generator writes it (folded when long)."""
    if len(name) + 2 + len(value) <= _POLICY.max_line_length and _PLAIN.fullmatch(value):
        return f"{name}: {value}\r\n".encode("ascii")
    return _POLICY.fold_binary(name, value)


def _placeholder_line(name: str, value: str) -> bytes:
    return f"{name}: {value}\r\n".encode("ascii")


_date_lines: dict[tuple[int, bool], bytes] = {}


def _date_line() -> bytes:
    """The Date header line of a message made now, as Django writes it (made once a second)."""
    key = (int(time.time()), settings.EMAIL_USE_LOCALTIME)
    line = _date_lines.get(key)
    if line is None:
        _date_lines.clear()
        line = _date_lines[key] = _header_line("Date", formatdate(key[0], localtime=key[1]))
    return line


@dataclass(frozen=True)
class _Template:
    """A variant's message serialised once with stand-ins: its header block (up to and with the
    blank line) and its body, and for the external variant the longest body line that holds the
    opt-out stand-in and how many it holds at most, to tell when a recipient's own link would make
    a line too long for 8bit (Django would then encode the part quoted-printable)."""

    head: bytes
    body: bytes
    longest: int = 0
    most: int = 0


class _Serialised:
    """What EmailMessage.message() returns, for a message whose bytes are already made."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8")

    def __str__(self) -> str:
        return self.as_string()


class _PreparedMessage(EmailMultiAlternatives):
    """An internal recipient's mail for a backend other than SMTP: the MIME message serialised
    once per batch, with only the address, the Date and the Message-ID swapped per recipient."""

    serialised: bytes = b""

    def message(self):
        return _Serialised(self.serialised)


class MessagePreparer:
    """The mails of one batch, made from each variant serialised once (building MIME costs more
    than SMTP): per recipient only the To, Date and Message-ID headers are written, and for an
    external recipient their own opt-out link and the RFC 8058 List-Unsubscribe header.

    `wire()` gives the bytes and the envelope address for an SMTP connection (lms.smtpwire), the
    very bytes message_build() would give but for the MIME boundary, the Date and the Message-ID;
    `build()` an EmailMessage for any other backend."""

    def __init__(self, rendered: RenderedEdition):
        self.rendered = rendered
        self.from_email = address_clean(rendered.from_email)
        self.envelope_from = sanitize_address(self.from_email, settings.DEFAULT_CHARSET)
        self._templates: dict[bool, _Template | None] = {}

    def _template(self, external: bool) -> _Template | None:
        """The variant's template, or None when its serialisation does not hold the stand-ins
        as plain text (a part encoded quoted-printable or base64): then every mail is built in
        full."""
        if external in self._templates:
            return self._templates[external]
        headers = {"Date": _DATE_PLACEHOLDER, "Message-ID": _ID_PLACEHOLDER}
        message = _build(
            self.rendered,
            email=_TO_PLACEHOLDER,
            external=external,
            url=OPTOUT_PLACEHOLDER,
            headers=headers,
        )
        raw = message_clean(message).message().as_bytes(linesep="\r\n")
        head, blank, body = raw.partition(b"\r\n\r\n")
        head += blank
        stand_ins = [("To", _TO_PLACEHOLDER), *headers.items()]
        if external:
            stand_ins.append(("List-Unsubscribe", _UNSUBSCRIBE_PLACEHOLDER))
        usable = all(head.count(b"\n" + _placeholder_line(*pair)) == 1 for pair in stand_ins)
        template = None
        if usable and not external:
            template = _Template(head=head, body=body)
        elif usable:
            mark = OPTOUT_PLACEHOLDER.encode()
            lines = [line for line in body.split(b"\r\n") if mark in line]
            shown = self.rendered.html_external.count(OPTOUT_PLACEHOLDER)
            shown += self.rendered.text_external.count(OPTOUT_PLACEHOLDER)
            if body.count(mark) == shown:
                template = _Template(
                    head=head,
                    body=body,
                    longest=max((len(line) for line in lines), default=0),
                    most=max((line.count(mark) for line in lines), default=0),
                )
        self._templates[external] = template
        return template

    def _bytes(self, template: _Template, address: str, url: str = "") -> bytes:
        head = (
            template.head.replace(
                _placeholder_line("To", _TO_PLACEHOLDER), _header_line("To", address), 1
            )
            .replace(_placeholder_line("Date", _DATE_PLACEHOLDER), _date_line(), 1)
            .replace(
                _placeholder_line("Message-ID", _ID_PLACEHOLDER),
                _header_line("Message-ID", make_msgid(domain=DNS_NAME)),
                1,
            )
        )
        body = template.body
        if url:
            head = head.replace(
                _placeholder_line("List-Unsubscribe", _UNSUBSCRIBE_PLACEHOLDER),
                _header_line("List-Unsubscribe", f"<{url}>"),
                1,
            )
            body = body.replace(OPTOUT_PLACEHOLDER.encode(), url.encode())
        return head + body

    def wire(self, delivery: Delivery) -> tuple[str, bytes] | None:
        """(envelope recipient, message bytes) for one recipient, or None when the mail must be
        built in full (an address that is not plain ASCII, a line an opt-out link would make too
        long)."""
        address = address_clean(delivery.email)
        if not _PLAIN_ADDRESS.fullmatch(address):
            return None
        template = self._template(delivery.external)
        if template is None:
            return None
        url = ""
        if delivery.external:
            url = optout_url(delivery)
            grown = len(url) - len(OPTOUT_PLACEHOLDER)
            if not url.isascii() or template.longest + template.most * grown > _LINE_LIMIT:
                return None
        return address, self._bytes(template, address, url)

    def build(self, delivery: Delivery, *, connection=None):
        """The mail to one recipient as an EmailMessage (for a backend other than SMTP)."""
        address = address_clean(delivery.email)
        template = None if delivery.external else self._template(False)
        if template is None or not address.isascii():
            return message_build(self.rendered, delivery=delivery, connection=connection)
        message = _PreparedMessage(
            subject=self.rendered.subject,
            body=self.rendered.text_internal,
            from_email=self.rendered.from_email,
            to=[address],
            connection=connection,
        )
        message.attach_alternative(self.rendered.html_internal, "text/html")
        message.serialised = self._bytes(template, address)
        return message


def _build(
    rendered: RenderedEdition,
    *,
    email: str,
    external: bool,
    url: str = "",
    connection=None,
    headers: dict[str, str] | None = None,
):
    headers = dict(headers or {})
    if external:
        html = rendered.html_external.replace(OPTOUT_PLACEHOLDER, url)
        text = rendered.text_external.replace(OPTOUT_PLACEHOLDER, url)
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        html, text = rendered.html_internal, rendered.text_internal
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=text,
        from_email=rendered.from_email,
        to=[email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def message_build(rendered: RenderedEdition, *, delivery: Delivery, connection=None):
    """The mail to one recipient: the rendered edition, with an external recipient's own opt-out
    link and one-click unsubscribe headers; internal staff get none."""
    url = optout_url(delivery) if delivery.external else ""
    return _build(
        rendered,
        email=address_clean(delivery.email),
        external=delivery.external,
        url=url,
        connection=connection,
    )
