"""Reads of the coverage aggregate (reports.models.CoverageCell) for the dashboards.

A scope is an org unit's subtree. Its figures come in a fixed number of queries however many
units it has: the subtree's units, the cells of those units summed per child unit and competence
(grouped by the child's path prefix) and per job category and competence, then the competences
and job categories. pandas only shapes those sums (the frames have a row per child unit or job
category and competence, never per person).

Who may not see names gets every table through reports.lib.suppression: the unit and the job
category breakdown of one competence share their total row, which is also that competence's row
in the summary table, so all three are suppressed together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from lms.competence.models import Competence, Requirement
from lms.competence.selectors.status import EXPIRING_WITHIN_DAYS
from lms.people.models import JobCategory, OrgUnit, Person
from reports.lib import suppression
from reports.models import CoverageCell

PARTS = ("valid", "expiring", "expired", "missing")
# Who holds valid evidence: valid, and valid but expiring within 90 days.
COVERED = (0, 1)

INTERNAL, EXTERNAL = "internal", "external"


@dataclass(frozen=True)
class Filters:
    job_category: int | None = None
    # "", INTERNAL or EXTERNAL
    reach: str = ""
    competence: int | None = None


@dataclass
class Row:
    """One line of a table: counts by part, their sum (required) and the covered share; the
    hidden flags say what a viewer who may not see names is not shown."""

    key: int | str | None
    label: str
    counts: tuple[int, ...]
    hidden: tuple[bool, ...] = (False, False, False, False)
    required_hidden: bool = False
    share_shown: bool = True
    frontline: bool = False
    external: bool = False
    is_scope: bool = False

    @property
    def required(self) -> int:
        return sum(self.counts)

    @property
    def covered(self) -> int:
        return sum(self.counts[j] for j in COVERED)

    @property
    def share(self) -> float | None:
        """Covered / required, 0-100; None when it may not be shown or there is no one."""
        if not self.share_shown or not self.required:
            return None
        return 100 * self.covered / self.required

    def shares(self) -> list[float | None]:
        """Each part's share of required (for the chart): None where the part is hidden."""
        if self.required_hidden or not self.required:
            return [None] * len(PARTS)
        if self.required < suppression.SMALLEST:
            return [None] * len(PARTS)
        return [
            None if hidden else 100 * value / self.required
            for value, hidden in zip(self.counts, self.hidden, strict=True)
        ]

    def cells(self) -> list[int | str]:
        """The counts then required, as shown ("<5" where hidden)."""
        return [
            suppression.shown(value, hidden)
            for value, hidden in zip(self.counts, self.hidden, strict=True)
        ] + [suppression.shown(self.required, self.required_hidden)]


@dataclass
class Overview:
    unit: OrgUnit
    filters: Filters
    suppressed: bool
    competences: list[Competence]
    competence: Competence | None
    # The summary: one row per competence for the whole scope.
    by_competence: list[Row] = field(default_factory=list)
    # For the chosen competence: per child unit (internal and external) and per job category.
    by_unit: list[Row] = field(default_factory=list)
    by_job_category: list[Row] = field(default_factory=list)
    total: Row | None = None
    computed_at: dt.datetime | None = None

    @property
    def internal_units(self) -> list[Row]:
        return [row for row in self.by_unit if not row.external]

    @property
    def external_units(self) -> list[Row]:
        return [row for row in self.by_unit if row.external]


def _cells(unit_ids: list[int], filters: Filters):
    # The subtree's units by id, not by a path pattern: the planner then knows how few rows it
    # reads and takes the unit index (a LIKE on the joined path got a parallel seq scan).
    cells = CoverageCell.objects.filter(org_unit_id__in=unit_ids)
    if filters.job_category:
        cells = cells.filter(job_category_id=filters.job_category)
    if filters.reach == INTERNAL:
        cells = cells.filter(external=False)
    elif filters.reach == EXTERNAL:
        cells = cells.filter(external=True)
    return cells


_SUMS = {part: Sum(part) for part in PARTS}


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(rows), columns=columns + list(PARTS))
    frame[list(PARTS)] = frame[list(PARTS)].fillna(0).astype("int64")
    return frame


def coverage_overview(*, unit: OrgUnit, filters: Filters, suppressed: bool) -> Overview:
    """The scope's figures: the summary per competence, and for one competence (the filter's,
    else the first by name) the breakdown by child unit and by job category."""
    child_length = len(unit.path) + OrgUnit.steplen
    subtree = list(
        OrgUnit.objects.filter(path__startswith=unit.path).only(
            "pk", "path", "name", "kind", "depth"
        )
    )
    cells = _cells([u.pk for u in subtree], filters)
    by_child = (
        cells.annotate(child=Substr("org_unit__path", 1, child_length))
        .values("child", "competence_id")
        .annotate(**_SUMS, at=Min("computed_at"))
        .order_by()
    )
    by_category = cells.values("job_category_id", "competence_id").annotate(**_SUMS).order_by()
    child_frame = _frame(
        ([r["child"], r["competence_id"], *(r[p] for p in PARTS)] for r in by_child),
        ["child", "competence"],
    )
    computed_at = min((r["at"] for r in by_child), default=None)
    category_frame = _frame(
        ([r["job_category_id"], r["competence_id"], *(r[p] for p in PARTS)] for r in by_category),
        ["job_category", "competence"],
    )

    competences = list(
        Competence.objects.filter(pk__in=child_frame["competence"].unique().tolist()).order_by(
            "name", "pk"
        )
    )
    overview = Overview(
        unit=unit,
        filters=filters,
        suppressed=suppressed,
        competences=competences,
        competence=None,
        computed_at=computed_at,
    )
    if not competences:
        return overview
    chosen = next((c for c in competences if c.pk == filters.competence), competences[0])
    overview.competence = chosen

    children = {u.path: u for u in subtree if u.depth == unit.depth + 1}
    categories = {c.pk: c for c in JobCategory.objects.all()}

    for competence in competences:
        units = child_frame[child_frame["competence"] == competence.pk]
        cats = category_frame[category_frame["competence"] == competence.pk]
        unit_rows = _unit_rows(units, children, unit)
        category_rows = _category_rows(cats, categories)
        total = Row(
            key=competence.pk,
            label=competence.name,
            counts=tuple(int(units[p].sum()) for p in PARTS),
            is_scope=True,
        )
        if suppressed:
            _suppress(unit_rows, category_rows, total)
        overview.by_competence.append(total)
        if competence.pk == chosen.pk:
            overview.by_unit, overview.by_job_category, overview.total = (
                unit_rows,
                category_rows,
                total,
            )
    return overview


def _unit_rows(frame: pd.DataFrame, children: dict[str, OrgUnit], scope: OrgUnit) -> list[Row]:
    rows = []
    for record in frame.itertuples(index=False):
        child = children.get(record.child) if record.child != scope.path else None
        unit = child or scope
        rows.append(
            Row(
                key=unit.pk,
                label=unit.name,
                counts=tuple(int(getattr(record, p)) for p in PARTS),
                external=unit.is_external,
                # People placed on the scope unit itself: shown, but nothing to drill into.
                is_scope=child is None,
            )
        )
    # Internal before external; within each, the scope's own people first, then by name.
    rows.sort(key=lambda r: (r.external, not r.is_scope, r.label.casefold(), r.key))
    return rows


def _category_rows(frame: pd.DataFrame, categories: dict[int, JobCategory]) -> list[Row]:
    rows = []
    for record in frame.itertuples(index=False):
        category = categories[int(record.job_category)]
        rows.append(
            Row(
                key=category.pk,
                label=category.name,
                counts=tuple(int(getattr(record, p)) for p in PARTS),
                frontline=category.is_frontline,
            )
        )
    # Front-line job categories first.
    rows.sort(key=lambda r: (not r.frontline, r.label.casefold(), r.key))
    return rows


def _suppress(unit_rows: list[Row], category_rows: list[Row], total: Row) -> None:
    tables = [
        suppression.Table(cells=[list(r.counts) for r in unit_rows], parts=len(PARTS)),
        suppression.Table(cells=[list(r.counts) for r in category_rows], parts=len(PARTS)),
    ]
    suppression.suppress_linked(tables)
    for table, rows in zip(tables, (unit_rows, category_rows), strict=True):
        for i, row in enumerate(rows):
            row.hidden = tuple(table.hidden[i])
            row.required_hidden = table.row_total_hidden[i]
            row.share_shown = table.share_shown(i, COVERED)
    first = tables[0]
    total.hidden = tuple(first.total_hidden)
    total.required_hidden = first.grand_hidden
    total.share_shown = first.share_shown(None, COVERED)


def gap_people(
    *,
    unit: OrgUnit,
    competence: Competence,
    job_category: int | None = None,
    reach: str = "",
    today: dt.date | None = None,
):
    """The people of `unit`'s subtree required to hold `competence` whose evidence is missing,
    expired or expiring within 90 days, with their best evidence's last valid day (`latest`, None
    when missing): names, for those who may see them (reports.access.may_see_names). Two queries:
    the requirements that can apply, and the people with their best evidence aggregated."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=EXPIRING_WITHIN_DAYS)
    requirements = list(
        Requirement.objects.filter(competence=competence, competence__active=True)
        .filter(
            Q(org_unit__path__in=OrgUnit.ancestor_paths(unit.path))
            | Q(org_unit__path__startswith=unit.path)
        )
        .select_related("org_unit")
        .prefetch_related("job_categories")
    )
    applies = Q(pk__in=[])
    for requirement in requirements:
        applies |= Q(
            org_unit__path__startswith=requirement.org_unit.path,
            job_category__in=[c.pk for c in requirement.job_categories.all()],
        )
    people = Person.objects.active().in_subtree(unit).filter(applies, anonymised_at__isnull=True)
    if job_category:
        people = people.filter(job_category_id=job_category)
    if reach:
        # As the aggregate counts it: a unit at or below an external institution or partner.
        external_paths = OrgUnit.objects.filter(kind__in=OrgUnit.EXTERNAL_KINDS).filter(
            Q(path__in=OrgUnit.ancestor_paths(unit.path)) | Q(path__startswith=unit.path)
        )
        external = Q(pk__in=[])
        for path in external_paths.values_list("path", flat=True):
            external |= Q(org_unit__path__startswith=path)
        people = people.filter(external) if reach == EXTERNAL else people.exclude(external)
    live = Q(
        evidence__competence=competence,
        evidence__voided_at__isnull=True,
        evidence__achieved_on__lte=today,
    )
    return (
        people.annotate(
            held=Count("evidence", filter=live),
            never=Count("evidence", filter=live & Q(evidence__expires_on__isnull=True)),
            latest=Max("evidence__expires_on", filter=live),
        )
        .filter(Q(held=0) | Q(never=0, latest__lte=soon))
        .select_related("org_unit", "job_category")
        .order_by("org_unit__name", "name", "pk")
    )
