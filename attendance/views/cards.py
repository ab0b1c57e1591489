"""The public Action Card pages: mobile-first, no login, only approved versions.

/handlekort/<slug>/ always shows the current version: it is the address printed as a QR code on
every paper card, so an old paper card leads to today's advice. Old versions stay readable (with
a notice that they are superseded) because people hold paper copies of them. Drafts are never
public; the admin previews them with the same template (VersionPreviewView in
attendance.viewsets.cards).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from attendance.documents import cards as card_pdf
from attendance.models import ActionCard, ActionCardVersion
from attendance.selectors import cards as card_selectors
from lms.parsing import parse_id
from lms.site.selectors.site import site_info

# Content changes only when a version is approved; a few minutes of caching is harmless and
# spares the server when a whole meeting scans the QR code at once.
PAGE_CACHE = {"max_age": 300}
PDF_CACHE = {"public": True, "max_age": 3600}


def _card_or_404(slug: str) -> ActionCard:
    card = card_selectors.card_public(slug=slug)
    if card is None:
        raise Http404(_("No such Action Card."))
    return card


def stable_url(request, card: ActionCard) -> str:
    """The card's permanent public address (what the QR code holds)."""
    return request.build_absolute_uri(reverse("cards:detail", args=(card.slug,)))


def card_context(request, card: ActionCard, version: ActionCardVersion, **extra) -> dict:
    """What card_detail.html needs; shared with the admin's preview of a draft."""
    info = site_info(request=request)
    steps = [
        {"number": number, "kind": block.value["kind"], "step": block.value}
        for number, block in enumerate(version.steps, start=1)
    ]
    return {
        "card": card,
        "version": version,
        "steps": steps,
        "settings": info.settings,
        "contacts": info.contacts,
        "is_current": card.current_version_id == version.pk,
        "stable_url": stable_url(request, card),
        **extra,
    }


@require_safe
@cache_control(**PAGE_CACHE)
def card_list(request):
    return TemplateResponse(
        request, "attendance/card_list.html", {"cards": list(card_selectors.cards_public())}
    )


@require_safe
@cache_control(**PAGE_CACHE)
def card_detail(request, slug: str):
    card = _card_or_404(slug)
    return TemplateResponse(
        request, "attendance/card_detail.html", card_context(request, card, card.current_version)
    )


@require_safe
@cache_control(**PAGE_CACHE)
def card_versions(request, slug: str):
    card = _card_or_404(slug)
    return TemplateResponse(
        request,
        "attendance/card_versions.html",
        {"card": card, "versions": list(card_selectors.versions_public(card=card))},
    )


@require_safe
@cache_control(**PAGE_CACHE)
def card_version(request, slug: str, number: int):
    card = _card_or_404(slug)
    if number == card.current_version.number:
        return redirect("cards:detail", slug=card.slug)
    version = card_selectors.version_public(card=card, number=number)
    if version is None:
        raise Http404(_("No such version."))
    return TemplateResponse(
        request, "attendance/card_detail.html", card_context(request, card, version)
    )


@require_safe
@cache_control(**PDF_CACHE)
def card_pdf_view(request, slug: str):
    card = _card_or_404(slug)
    version = card.current_version
    requested = request.GET.get("version")
    if requested:
        version = card_selectors.version_public(card=card, number=parse_id(requested))
        if version is None:
            raise Http404(_("No such version."))
    info = site_info(request=request)
    content = card_pdf.card_pdf(
        version=version,
        url=stable_url(request, card),
        settings=info.settings,
        contacts=info.contacts,
        superseded=version.pk != card.current_version_id,
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{slugify(card.slug)}-v{version.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
