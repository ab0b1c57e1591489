"""Fixtures for the Action Card tests (imported by the test_card* modules)."""

import datetime as dt

import pytest
from django.utils import timezone

from attendance import services
from lms.people.models import Role

# The fixtures, for `from .card_fixtures import *` in the test modules.
__all__ = ["coordinators", "make_card", "new_version"]

SIGNS = [
    ("sign", {"sign": "Trækker sig fra venner og fællesskaber", "detail": ""}),
    ("sign", {"sign": "Udtrykker had mod bestemte grupper", "detail": "Nyt og vedvarende."}),
]
STEPS = [
    ("step", {"kind": "leader", "title": "Tal med din leder", "text": ""}),
    ("step", {"kind": "infohus", "title": "Kontakt Infohuset", "text": ""}),
    ("step", {"kind": "acute", "title": "Ved akut fare: ring 112", "text": ""}),
    ("step", {"kind": "hotline", "title": "Ring til hotlinen", "text": ""}),
]


def review_in(days=365):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def coordinators(tree, make_staff):
    """Two coordinators of HJ (author and approver) and one of FR."""
    return {
        "author": make_staff(Role.COORDINATOR, tree["HJ"]),
        "approver": make_staff(Role.COORDINATOR, tree["HJ"]),
        "other": make_staff(Role.COORDINATOR, tree["FR"]),
    }


@pytest.fixture
def make_card(tree, coordinators):
    """make_card(slug=..., approve=True, title=...) -> a card of HJ, version 1 approved."""

    def make(slug="medarbejdere", *, approve=True, title="Handlekort for medarbejdere", **kw):
        card = services.card_create(
            slug=slug,
            audience=kw.pop("audience", "staff"),
            org_unit=kw.pop("org_unit", tree["HJ"]),
            owner=coordinators["author"],
            title=title,
            summary="Hvad du ser efter, og hvad du gør.",
            signs=SIGNS,
            steps=STEPS,
            review_date=review_in(),
            by=coordinators["author"],
        )
        if approve:
            services.version_approve(version=card.versions.get(), by=coordinators["approver"])
            card.refresh_from_db()
        return card

    return make


@pytest.fixture
def new_version(coordinators):
    """new_version(card, title=...) -> version n+1 of `card`, approved: n is superseded."""

    def make(card, *, title="Handlekort for medarbejdere, opdateret"):
        draft = services.version_draft_create(card=card, by=coordinators["author"])
        services.version_update(
            version=draft, title=title, change_note="Nyt nummer", by=coordinators["author"]
        )
        services.version_approve(version=draft, by=coordinators["approver"])
        card.refresh_from_db()
        draft.refresh_from_db()
        return draft

    return make
