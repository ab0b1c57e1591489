"""What the half-year report says (reports.documents.halfyear draws it): the key figures per
competence now and in the previous half-year, the trend, and the administrations and
institutions not reached.

Everything comes from the aggregates (the trend and the coverage cells) and from the meetings'
audiences, never from rows of people. The report goes to the steering group, who may not see
names: every figure is suppressed (reports.lib.suppression), as on the dashboard.

Not reached: an administration (or the police) or an external institution in the scope whose
people required to hold a competence hold no valid evidence of it at all, or which no meeting
held in the last twelve months was for (a meeting is for its audience units and everything below
them, for its institution, or for its organising unit's subtree when it names no audience).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Sum
from django.utils import timezone

from attendance.models import Meeting
from lms.people.models import OrgUnit
from reports.lib.periods import HalfYear
from reports.models import CoverageCell
from reports.selectors.coverage import Filters
from reports.selectors.trend import Point, Trend, coverage_trend

REACHED_WITHIN_DAYS = 365
# The units the steering group follows up on.
FOLLOWED_KINDS = (OrgUnit.Kind.ADMINISTRATION, OrgUnit.Kind.POLICE, OrgUnit.Kind.INSTITUTION)
HELD = (Meeting.Status.PUBLISHED, Meeting.Status.HELD, Meeting.Status.CLOSED)


@dataclass
class KeyFigure:
    competence: str
    current: Point
    previous: Point | None

    @property
    def change(self) -> float | None:
        """Percentage points since the previous half-year (None when either is not shown)."""
        if self.previous is None or self.current.share is None or self.previous.share is None:
            return None
        return self.current.share - self.previous.share


@dataclass
class NotReached:
    unit: OrgUnit
    no_valid_coverage: bool
    no_meeting: bool


@dataclass
class HalfYearFacts:
    unit: OrgUnit
    period: HalfYear
    today: dt.date
    trend: Trend
    key_figures: list[KeyFigure] = field(default_factory=list)
    not_reached: list[NotReached] = field(default_factory=list)


def units_not_reached(*, unit: OrgUnit, now: dt.datetime | None = None) -> list[NotReached]:
    """The followed units of `unit`'s subtree with no valid coverage or no meeting in the last
    twelve months, by name. Four queries."""
    now = now or timezone.now()
    candidates = list(
        OrgUnit.objects.filter(path__startswith=unit.path, kind__in=FOLLOWED_KINDS)
        .exclude(pk=unit.pk)
        .order_by("kind", "name", "pk")
    )
    if not candidates:
        return []
    figures = list(
        CoverageCell.objects.filter(org_unit__path__startswith=unit.path)
        .values(path=F("org_unit__path"))
        .annotate(required=Sum("required"), valid=Sum("valid"), expiring=Sum("expiring"))
        .order_by()
    )
    meetings = Meeting.objects.filter(
        status__in=HELD,
        starts_at__gte=now - dt.timedelta(days=REACHED_WITHIN_DAYS),
        starts_at__lte=now,
    )
    reached_paths = set(
        meetings.filter(audience_units__isnull=False).values_list("audience_units__path", flat=True)
    )
    reached_paths |= set(
        meetings.filter(institution__isnull=False).values_list("institution__path", flat=True)
    )
    reached_paths |= set(
        meetings.filter(audience_units__isnull=True).values_list("org_unit__path", flat=True)
    )
    result = []
    for candidate in candidates:
        inside = [row for row in figures if row["path"].startswith(candidate.path)]
        required = sum(row["required"] for row in inside)
        covered = sum(row["valid"] + row["expiring"] for row in inside)
        no_valid = required > 0 and covered == 0
        met = any(
            path.startswith(candidate.path) or candidate.path.startswith(path)
            for path in reached_paths
        )
        if no_valid or not met:
            result.append(
                NotReached(unit=candidate, no_valid_coverage=no_valid, no_meeting=not met)
            )
    return result


def halfyear_facts(*, unit: OrgUnit, today: dt.date | None = None) -> HalfYearFacts:
    """The report on the half-year of `today` (its figures so far), against the one before."""
    today = today or timezone.localdate()
    period = HalfYear.of(today)
    trend = coverage_trend(unit=unit, filters=Filters(), suppressed=True, today=today)
    facts = HalfYearFacts(unit=unit, period=period, today=today, trend=trend)
    for series in trend.series:
        current = next((p for p in series.points if p.period == period), None)
        if current is None or not current.required:
            continue
        previous = next((p for p in series.points if p.period == period.previous), None)
        facts.key_figures.append(
            KeyFigure(competence=series.competence.name, current=current, previous=previous)
        )
    facts.not_reached = units_not_reached(unit=unit)
    return facts


def reports_for(*, user) -> list:
    """The half-year reports of the units at the top of the user's coverage scope, newest
    first (the steering group's own municipality's)."""
    from reports import access
    from reports.models import HalfYearReport

    units = list(access.scope_units(user).values_list("pk", flat=True))
    return list(
        HalfYearReport.objects.filter(org_unit_id__in=units)
        .select_related("org_unit", "meeting")
        .order_by("-built_at", "-pk")
    )
