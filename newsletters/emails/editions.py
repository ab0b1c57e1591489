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
from dataclasses import dataclass
from html import unescape

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from lms.concerns.links import intake_absolute_url
from lms.mail import absolute_url, address_clean, header_clean
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


# Stand-ins in the internal variant's serialised message, swapped per recipient.
_TO_PLACEHOLDER = "nl-recipient@placeholder.invalid"
_ID_PLACEHOLDER = "<nl-message-id@placeholder.invalid>"


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
    """An internal recipient's mail: the MIME message serialised once per batch, with only the
    address and the Message-ID swapped per recipient (building MIME costs more than SMTP)."""

    serialised: bytes = b""

    def message(self):
        return _Serialised(self.serialised)


class MessagePreparer:
    """message_build() for one batch: an internal recipient's mail reuses the bytes of the
    internal variant, serialised once; an external one is built in full (its own opt-out link)."""

    def __init__(self, rendered: RenderedEdition):
        self.rendered = rendered
        self._template: bytes | None = None

    def _internal_bytes(self) -> bytes:
        if self._template is None:
            message = _build(self.rendered, email=_TO_PLACEHOLDER, external=False)
            message.extra_headers["Message-ID"] = _ID_PLACEHOLDER
            self._template = message.message().as_bytes(linesep="\r\n")
        return self._template

    def build(self, delivery: Delivery, *, connection=None):
        email = address_clean(delivery.email)
        if delivery.external or not email.isascii():
            return message_build(self.rendered, delivery=delivery, connection=connection)
        message = _PreparedMessage(
            subject=self.rendered.subject,
            body=self.rendered.text_internal,
            from_email=self.rendered.from_email,
            to=[email],
            connection=connection,
        )
        message.attach_alternative(self.rendered.html_internal, "text/html")
        message.serialised = (
            self._internal_bytes()
            .replace(_TO_PLACEHOLDER.encode(), email.encode())
            .replace(_ID_PLACEHOLDER.encode(), make_msgid(domain=DNS_NAME).encode())
        )
        return message


def _build(
    rendered: RenderedEdition, *, email: str, external: bool, url: str = "", connection=None
):
    headers = {}
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
