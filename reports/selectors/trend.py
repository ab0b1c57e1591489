"""Reads of the coverage trend (reports.models.CoverageTrendCell): coverage per half-year of the
action plan, per competence, for a scope (an org unit's subtree) and the dashboard's filters.

Three queries however many units or half-years: the subtree's units, the cells summed per
half-year and competence, and the competences. Who may not see names gets each figure through
reports.lib.suppression: a half-year's valid and not-valid counts are one row whose total is the
number required.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Sum
from django.utils import timezone

from lms.competence.models import Competence
from lms.people.models import OrgUnit
from reports.lib import suppression
from reports.lib.periods import HalfYear, plan_half_years
from reports.models import CoverageTrendCell
from reports.selectors.coverage import EXTERNAL, INTERNAL, Filters


@dataclass
class Point:
    """One competence in one half-year."""

    period: HalfYear
    valid: int = 0
    required: int = 0
    valid_hidden: bool = False
    required_hidden: bool = False
    share_shown: bool = True

    @property
    def share(self) -> float | None:
        """valid / required, 0-100; None when it may not be shown or nobody was required."""
        if not self.share_shown or not self.required:
            return None
        return 100 * self.valid / self.required

    @property
    def valid_shown(self) -> int | str:
        return suppression.shown(self.valid, self.valid_hidden)

    @property
    def required_shown(self) -> int | str:
        return suppression.shown(self.required, self.required_hidden)


@dataclass
class Series:
    competence: Competence
    points: list[Point]


@dataclass
class Trend:
    unit: OrgUnit
    filters: Filters
    suppressed: bool
    periods: list[HalfYear]
    today: dt.date
    series: list[Series] = field(default_factory=list)
    computed_at: dt.datetime | None = None

    def point(self, competence_pk: int, period: HalfYear) -> Point | None:
        for series in self.series:
            if series.competence.pk == competence_pk:
                return next((p for p in series.points if p.period == period), None)
        return None


def _suppress(point: Point) -> None:
    table = suppression.suppress(
        suppression.Table(cells=[[point.valid, point.required - point.valid]], parts=2)
    )
    point.valid_hidden = table.hidden[0][0]
    point.required_hidden = table.row_total_hidden[0]
    point.share_shown = table.share_shown(0, (0,))


def coverage_trend(
    *, unit: OrgUnit, filters: Filters, suppressed: bool, today: dt.date | None = None
) -> Trend:
    """The scope's coverage per half-year and competence (every competence required there in
    any half-year), as the trend aggregate last computed it."""
    today = today or timezone.localdate()
    periods = plan_half_years(today)
    unit_ids = list(OrgUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    cells = CoverageTrendCell.objects.filter(
        org_unit_id__in=unit_ids, period_start__in=[p.start for p in periods]
    )
    if filters.job_category:
        cells = cells.filter(job_category_id=filters.job_category)
    if filters.reach == INTERNAL:
        cells = cells.filter(external=False)
    elif filters.reach == EXTERNAL:
        cells = cells.filter(external=True)
    sums = list(
        cells.values("period_start", "competence_id")
        .annotate(required=Sum("required"), valid=Sum("valid"), at=Max("computed_at"))
        .order_by()
    )
    trend = Trend(
        unit=unit,
        filters=filters,
        suppressed=suppressed,
        periods=periods,
        today=today,
        computed_at=max((row["at"] for row in sums), default=None),
    )
    figures = {(row["competence_id"], row["period_start"]): row for row in sums}
    competences = Competence.objects.filter(pk__in={row["competence_id"] for row in sums}).order_by(
        "name", "pk"
    )
    for competence in competences:
        points = []
        for period in periods:
            row = figures.get((competence.pk, period.start))
            point = Point(period=period)
            if row is not None:
                point.valid, point.required = int(row["valid"]), int(row["required"])
            if suppressed:
                _suppress(point)
            points.append(point)
        trend.series.append(Series(competence=competence, points=points))
    return trend
