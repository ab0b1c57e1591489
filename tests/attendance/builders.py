"""Builders for the attendance tests: plain functions that make data through attendance.services,
and the form data they share. The fixtures in conftest.py wrap them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from attendance import services
from attendance.models import ActionCard, Meeting, MeetingRequest
from lms.people.models import OrgUnit, User

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


def card_make(
    *,
    org_unit: OrgUnit,
    author: User,
    approver: User | None,
    slug: str = "medarbejdere",
    title: str = "Handlekort for medarbejdere",
    audience: str = "staff",
) -> ActionCard:
    """A card of `org_unit` written by `author`; version 1 approved by `approver` unless None."""
    card = services.card_create(
        slug=slug,
        audience=audience,
        org_unit=org_unit,
        owner=author,
        title=title,
        summary="Hvad du ser efter, og hvad du gør.",
        signs=SIGNS,
        steps=STEPS,
        review_date=review_in(),
        by=author,
    )
    if approver is not None:
        services.version_approve(version=card.versions.get(), by=approver)
        card.refresh_from_db()
    return card


def meeting_make(
    org_unit: OrgUnit,
    *,
    audience=(),
    capacity=10,
    publish=True,
    starts_in=dt.timedelta(days=7),
    duration=dt.timedelta(hours=2),
    **fields,
) -> Meeting:
    """A meeting of `org_unit` starting `starts_in` from now, published unless publish=False."""
    starts_at = timezone.now() + starts_in
    fields.setdefault("kind", Meeting.Kind.INFORMATION)
    fields.setdefault("title", "Informationsmøde om bekymringstegn")
    fields.setdefault("venue", "Rådhuset, mødelokale 1")
    meeting = services.meeting_create(
        org_unit=org_unit,
        audience_units=list(audience),
        capacity=capacity,
        starts_at=starts_at,
        ends_at=starts_at + duration,
        by=None,
        **fields,
    )
    if publish:
        meeting = services.meeting_publish(meeting=meeting, by=None)
    return meeting


@dataclass
class Cast:
    """Everyone the access matrix asks about, around Hjørring's gymnasium (HJ-GYM)."""

    units: dict[str, OrgUnit]
    coordinator: User  # Infohus coordinator of HJ: answers
    other_coordinator: User  # coordinator of another municipality (FR)
    contact: User  # department contact of HJ-BFU
    other_contact: User  # department contact of another administration (HJ-SAEH)
    institution: User  # institution coordinator of HJ-GYM: requests
    colleague: User  # a second institution coordinator of HJ-GYM
    other_institution: User  # institution coordinator of another institution (HJ-EUC)
    employee: User  # an employee of HJ-GYM (in the meeting's audience, no role)
    outsider: User  # an employee of HJ-SKOLE (outside the gymnasium)


def request_data(unit: OrgUnit, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "org_unit": unit,
        "kind": Meeting.Kind.INFORMATION,
        "expected_participants": 30,
        "preferred_from": today + dt.timedelta(days=14),
        "preferred_until": today + dt.timedelta(days=42),
        "preferred_times": "Tirsdag eftermiddag",
        "place": "Gymnasiets auditorium",
        "message": "Gerne om bekymringstegn.",
    }
    data.update(overrides)
    return data


def request_make(*, by: User, unit: OrgUnit, **fields) -> MeetingRequest:
    """A submitted meeting request of `unit`, made by `by`."""
    return services.request_create(by=by, **request_data(unit, **fields))


def future(days: int = 20, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def accept_data(**overrides) -> dict:
    data = {
        "title": "Informationsmøde for gymnasiet",
        "starts_at": future(20, 10),
        "ends_at": future(20, 12),
        "capacity": 30,
        "venue": "Gymnasiets auditorium",
    }
    data.update(overrides)
    return data
