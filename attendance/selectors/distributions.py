"""Reads of the Action Cards handed out that the distributions admin, the "cards in circulation"
report and the demo share.

Every read is a fixed number of queries however many places, versions and distributions there
are: the report aggregates in the database and groups the (place, version) rows in Python.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum

from attendance import access
from attendance.models import ActionCard, ActionCardVersion, Attendance, CardDistribution, Meeting

V = ActionCardVersion.Status


def suggested_quantity(meeting: Meeting) -> int:
    """How many copies a meeting probably handed out: the people marked present or late once
    attendance has been taken, otherwise its confirmed registrations. One query."""
    counts = Attendance.objects.filter(meeting=meeting).aggregate(
        marked=Count("pk"), attended=Count("pk", filter=Q(mark__in=Attendance.ATTENDED))
    )
    if counts["marked"]:
        return counts["attended"]
    return meeting.confirmed_count


def default_version_for(meeting: Meeting) -> ActionCardVersion | None:
    """The version a meeting's distribution starts from: the one set on the meeting."""
    version = meeting.action_card_version
    if version is not None and version.status == V.APPROVED:
        return version
    return None


def meeting_has_distribution(meeting: Meeting) -> bool:
    return CardDistribution.objects.filter(meeting=meeting).exists()


@dataclass
class VersionCopies:
    version_id: int
    number: int
    copies: int
    last_handed_out: dt.date
    superseded: bool


@dataclass
class PlaceCirculation:
    """The copies of one card at one place, one entry per version handed out there."""

    place_id: int
    place_name: str
    place_path: str
    card_id: int
    card_title: str
    current_number: int | None
    versions: list[VersionCopies] = field(default_factory=list)

    @property
    def newest(self) -> VersionCopies:
        """The version of the copies handed out last (the higher number on the same day)."""
        return max(self.versions, key=lambda v: (v.last_handed_out, v.number))

    @property
    def holds_superseded(self) -> bool:
        """The place's newest copies are an old version: it should get the current one."""
        return self.newest.superseded

    @property
    def copies(self) -> int:
        return sum(v.copies for v in self.versions)


def distributions_visible(*, user) -> QuerySet[CardDistribution]:
    return access.distributions_visible_to(user, CardDistribution.objects.all())


def distribution_by_place(*, user, card: ActionCard | None = None) -> list[PlaceCirculation]:
    """Per place and card: the copies of each version and when they were last handed out; places
    whose newest copies are a superseded version first. One query."""
    rows = distributions_visible(user=user)
    if card is not None:
        rows = rows.filter(version__card=card)
    rows = (
        rows.values(
            "org_unit_id",
            "org_unit__name",
            "org_unit__path",
            "version_id",
            "version__number",
            "version__card_id",
            "version__card__current_version_id",
            "version__card__current_version__number",
            "version__card__current_version__title",
            "version__card__slug",
        )
        .annotate(copies=Sum("quantity"), last=Max("handed_out_on"))
        .order_by()
    )
    places: dict[tuple[int, int], PlaceCirculation] = {}
    for row in rows:
        key = (row["org_unit_id"], row["version__card_id"])
        entry = places.get(key)
        if entry is None:
            entry = places[key] = PlaceCirculation(
                place_id=row["org_unit_id"],
                place_name=row["org_unit__name"],
                place_path=row["org_unit__path"],
                card_id=row["version__card_id"],
                card_title=row["version__card__current_version__title"]
                or row["version__card__slug"],
                current_number=row["version__card__current_version__number"],
            )
        entry.versions.append(
            VersionCopies(
                version_id=row["version_id"],
                number=row["version__number"],
                copies=row["copies"],
                last_handed_out=row["last"],
                superseded=row["version_id"] != row["version__card__current_version_id"],
            )
        )
    result = list(places.values())
    for entry in result:
        entry.versions.sort(key=lambda v: -v.number)
    result.sort(key=lambda e: (not e.holds_superseded, e.place_name.lower(), e.card_title))
    return result


def cards_with_distributions(*, user) -> QuerySet[ActionCard]:
    """Cards that have copies out in the user's area (for the report's filter)."""
    seen = distributions_visible(user=user).filter(version__card=OuterRef("pk"))
    return (
        ActionCard.objects.filter(Exists(seen)).select_related("current_version").order_by("slug")
    )
