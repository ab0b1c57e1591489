"""Newsletters for the Overblik page: editions sent per year against the plan's two, and the
recipients in the scope with the share delivered, from the sends' delivery ledger.

An edition counts for a year when a send of it by an Infohus over or inside the scope is
scheduled, running, paused or sent with its time (started, else scheduled) in that year, as the
edition plan counts it (newsletters.selectors.plans); urgent messages do not count. Recipients
are the ledger's rows of the scope's people (a person deleted since is no longer counted). Two
GROUP BY queries; the years are the calendar years the period touches."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.people.models import OrgUnit
from newsletters.models import Delivery, Send
from newsletters.selectors.plans import COVERING
from reports.lib import charts, tables
from reports.lib.periods import Period
from reports.lib.tables import Cell, Section, Table, text

# The action plan: two editions a year.
PLANNED_PER_YEAR = 2


def _sends(unit: OrgUnit, years: list[int]):
    senders = Q(org_unit__path__startswith=unit.path) | Q(
        org_unit__path__in=OrgUnit.ancestor_paths(unit.path)
    )
    return (
        Send.objects.filter(senders, status__in=COVERING, edition__isnull=False, urgent=False)
        .annotate(year=ExtractYear(Coalesce("started_at", "scheduled_at")))
        .filter(year__gte=years[0], year__lte=years[-1])
    )


def editions_by_year(*, unit: OrgUnit, years: list[int]) -> dict[int, int]:
    """{year: distinct editions sent}. One query."""
    rows = _sends(unit, years).values("year").annotate(editions=Count("edition", distinct=True))
    return {r["year"]: r["editions"] for r in rows.order_by()}


def deliveries_by_year(*, unit: OrgUnit, years: list[int]) -> dict[int, dict]:
    """{year: {"delivered", "undelivered"}}: the scope's people in the ledger of those sends.
    One query."""
    rows = (
        Delivery.objects.filter(
            send__in=_sends(unit, years).values("pk"),
            person__org_unit__path__startswith=unit.path,
        )
        .annotate(year=ExtractYear(Coalesce("send__started_at", "send__scheduled_at")))
        .values("year")
        .annotate(
            delivered=Count("pk", filter=Q(status=Delivery.Status.SENT)),
            undelivered=Count("pk", filter=~Q(status=Delivery.Status.SENT)),
        )
        .order_by()
    )
    return {r["year"]: r for r in rows}


def section(*, unit: OrgUnit, period: Period, suppressed: bool) -> Section:
    years = period.years
    editions = editions_by_year(unit=unit, years=years)
    ledger = deliveries_by_year(unit=unit, years=years)
    cells = [
        [ledger.get(y, {}).get("delivered", 0), ledger.get(y, {}).get("undelivered", 0)]
        for y in years
    ]
    hidden = tables.hide(cells, 2, suppressed)
    table = Table(
        key="newsletters",
        caption=_("Newsletter editions and recipients"),
        columns=[
            _("Year"),
            _("Editions sent"),
            _("Editions planned"),
            _("Recipients"),
            _("Delivered"),
            _("Delivered share"),
        ],
    )
    for i, year in enumerate(years):
        recipients = sum(cells[i])
        table.rows.append(
            [
                text(str(year)),
                Cell(editions.get(year, 0)),
                Cell(PLANNED_PER_YEAR),
                Cell(recipients, hidden=hidden.row_totals[i]),
                Cell(cells[i][0], hidden=hidden.cells[i][0]),
                tables.share(cells[i][0], recipients, hidden.share_shown(i, [0])),
            ]
        )
    delivered = sum(r[0] for r in cells)
    recipients = sum(map(sum, cells))
    table.total = [
        text(_("Total")),
        Cell(sum(editions.get(y, 0) for y in years)),
        Cell(PLANNED_PER_YEAR * len(years)),
        Cell(recipients, hidden=hidden.grand),
        Cell(delivered, hidden=hidden.totals[0]),
        tables.share(delivered, recipients, hidden.share_shown(None, [0])),
    ]
    labels = [str(y) for y in years]
    figure = charts.bars(
        categories=labels,
        series=[
            (_("Editions sent"), [editions.get(y, 0) for y in years]),
            (_("Editions planned"), [PLANNED_PER_YEAR for _y in years]),
        ],
        title=_("Editions per year against the plan"),
        axis=_("Editions"),
    )
    first, last = years[0], years[-1]
    return Section(
        key="newsletters",
        title=_("Newsletters"),
        period_label=str(first) if first == last else f"{first}–{last}",
        computed_at=timezone.now(),
        tables=[table],
        figure=figure,
        notes=[
            _(
                "Counted per calendar year: the plan asks for two editions a year. Delivered "
                "share: the recipients the mail server accepted the newsletter for."
            )
        ],
    )
