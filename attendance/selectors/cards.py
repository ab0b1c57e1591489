"""Reads of Action Cards and their versions that the public pages, the admin and the demo share
(the copies handed out are attendance.selectors.distributions').

Every read is a fixed number of queries however many cards and versions there are.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.utils import timezone

from attendance import access
from attendance.models import ActionCard, ActionCardVersion

V = ActionCardVersion.Status


def cards_public() -> QuerySet[ActionCard]:
    """Cards with an approved current version, with it loaded, in title order."""
    return (
        ActionCard.objects.filter(current_version__isnull=False)
        .select_related("current_version")
        .order_by("current_version__title", "pk")
    )


def card_public(*, slug: str) -> ActionCard | None:
    return cards_public().filter(slug=slug).first()


def versions_public(*, card: ActionCard) -> QuerySet[ActionCardVersion]:
    """The approved versions of a card, newest first (drafts never leave the admin)."""
    return card.versions.filter(status=V.APPROVED).order_by("-number")


def version_public(*, card: ActionCard, number: int) -> ActionCardVersion | None:
    return versions_public(card=card).filter(number=number).first()


def cards_for_admin(cards: QuerySet[ActionCard]) -> QuerySet[ActionCard]:
    """`cards` with their current version and owner loaded, and the waiting draft's number and
    pk and the newest version's title (a card not approved yet has no current version) annotated."""
    drafts = ActionCardVersion.objects.filter(card=OuterRef("pk"), status=V.DRAFT)
    newest = ActionCardVersion.objects.filter(card=OuterRef("pk")).order_by("-number")
    return cards.select_related("current_version", "owner", "owner__person", "org_unit").annotate(
        draft_number=Subquery(drafts.values("number")[:1]),
        draft_pk=Subquery(drafts.values("pk")[:1]),
        newest_title=Subquery(newest.values("title")[:1]),
    )


def versions_of_card(*, card: ActionCard) -> QuerySet[ActionCardVersion]:
    """Every version of a card with its authors and the copies handed out, newest first."""
    return (
        card.versions.select_related("created_by", "approved_by")
        .annotate(copies=Sum("distributions__quantity"))
        .order_by("-number")
    )


def versions_for_meetings(*, user) -> QuerySet[ActionCardVersion]:
    """Approved versions of the cards `user` may see: what a meeting may hand out."""
    cards = access.cards_visible_to(user, ActionCard.objects.all())
    return (
        ActionCardVersion.objects.filter(status=V.APPROVED, card__in=cards)
        .select_related("card")
        .order_by("card__slug", "-number")
    )


def review_overdue(version: ActionCardVersion | None, *, today: dt.date | None = None) -> bool:
    return version is not None and version.review_date <= (today or timezone.localdate())
