"""The urgent internal message's mail: plain and accessible, rendered once per send.

The same shape as an edition's mail (newsletters.emails.editions.RenderedEdition), so the engine
sends it through the same ledger, personalises it the same way (an external recipient's own
opt-out link and the RFC 8058 headers) and needs no change: headings for the four parts the
plan asks for, the text as written (escaped, paragraphs kept), and the footer with the route to
report a concern. No web version: the message is not published.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.models import Site

from lms.mail import header_clean
from lms.people.models import OrgUnit
from lms.site.models import HomePage
from newsletters.emails.editions import (
    OPTOUT_PLACEHOLDER,
    RenderedEdition,
    concern_url,
    infohus_name,
    inline_css,
)
from newsletters.models import Send, UrgentMessage

__all__ = ["urgent_render", "site_of_infohus"]


def site_of_infohus(unit: OrgUnit) -> Site | None:
    """The site of the Infohus `unit` (the home page of the unit or its nearest ancestor), else
    the default site."""
    home = (
        HomePage.objects.filter(org_unit__path__in=OrgUnit.ancestor_paths(unit.path))
        .order_by("-org_unit__depth")
        .first()
    )
    site = Site.objects.filter(root_page_id=home.pk).first() if home is not None else None
    return site or Site.objects.filter(is_default_site=True).first()


def urgent_render(*, send: Send) -> RenderedEdition:
    """Render the send's urgent message once: internal and external variants, HTML and text."""
    message = UrgentMessage.objects.select_related("org_unit").get(pk=send.urgent_message_id)
    site = site_of_infohus(message.org_unit)
    context = {
        "message": message,
        "infohus_name": infohus_name(site),
        "concern_url": concern_url(site),
        "mail": True,
    }
    variants = (("internal", None), ("external", OPTOUT_PLACEHOLDER))
    with translation.override(settings.LANGUAGE_CODE):
        htmls = {
            variant: inline_css(
                render_to_string("newsletters/mail/urgent.html", {**context, "optout_url": url})
            )
            for variant, url in variants
        }
        texts = {
            variant: render_to_string("newsletters/mail/urgent.txt", {**context, "optout_url": url})
            for variant, url in variants
        }
        subject = header_clean(f"{translation.gettext('Urgent message')}: {message.subject}")
    return RenderedEdition(
        send_id=send.pk,
        subject=subject,
        from_email=settings.DEFAULT_FROM_EMAIL,
        web_url="",
        html_internal=htmls["internal"],
        html_external=htmls["external"],
        text_internal=texts["internal"],
        text_external=texts["external"],
    )
