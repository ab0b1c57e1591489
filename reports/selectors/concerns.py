"""Concerns for the Overblik page: counts only, from the concern intake's own aggregate reads
(lms.concerns.selectors.statistics), per half-year by route, outcome, age group and administration,
and the median time to feedback. No case, reference or text is ever read here.

The four breakdowns share one total row (the concerns per half-year), so they are suppressed
together for everyone (reports.lib.suppression.suppress_linked): the page shows counts of a few
people's concerns, and whoever handles the cases reads them in the concerns admin, not here. A
median of fewer than five cases is withheld."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from lms.concerns.models import Concern
from lms.concerns.selectors import statistics
from lms.people.models import OrgUnit
from reports.lib import charts, periods, suppression, tables
from reports.lib.periods import HalfYear, Period
from reports.lib.tables import DAYS, Cell, Section, Table, text


def _labels(by: str, values: set, unit: OrgUnit) -> dict:
    if by == "route":
        labels = dict(Concern.Route.choices)
    elif by == "outcome":
        labels = {"": _("No outcome yet"), **dict(Concern.Outcome.choices)}
    elif by == "age_group":
        labels = dict(Concern.AgeGroup.choices)
    else:
        # The area's administrations (its top unit's children): one query, whatever was counted.
        children = OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        labels = dict(children.values_list("path", "name"))
        labels[None] = _("Not from a unit below %(unit)s") % {"unit": unit.name}
    # A value the choices no longer know still gets a row (the totals must add up).
    unknown = {v: str(v) for v in values if v not in labels}
    return {**unknown, **{key: str(label) for key, label in labels.items()}}


def section(*, unit: OrgUnit, period: Period) -> Section:
    halves = period.halves
    keys = [h.key for h in halves]
    titles = {
        "route": (_("By route"), _("Route")),
        "outcome": (_("By outcome"), _("Outcome")),
        "age_group": (_("By age group"), _("Age group")),
        "administration": (_("By administration"), _("Administration")),
    }
    blocks, labelled = [], []
    for by in statistics.BREAKDOWNS:
        counts: dict = {}
        for row in statistics.counts_by_month(
            unit=unit, start=period.start_at, end=period.end_at, by=by
        ):
            half = HalfYear.of(periods.month_of(row["month"])).key
            value = row["value"] if row["value"] is not None or by == "administration" else ""
            counts.setdefault(value, dict.fromkeys(keys, 0))[half] += row["count"]
        labels = _labels(by, set(counts), unit)
        # The choices in their own order; every choice has a row, counted or not.
        order = [v for v in labels if v in counts or by in ("route", "age_group")]
        rows = [(labels[v], [counts.get(v, {}).get(k, 0) for k in keys]) for v in order]
        if by == "administration":
            rows.sort(key=lambda r: (r[0] == labels[None], r[0].casefold()))
        blocks.append([cells for _label, cells in rows])
        labelled.append(rows)
    hidden = tables.hide_linked(blocks, len(keys), suppressed=True)

    result = []
    for by, rows, flags in zip(statistics.BREAKDOWNS, labelled, hidden, strict=True):
        caption, first = titles[by]
        table = Table(
            key=f"concerns_{by}",
            caption=caption,
            columns=[first, *[h.label for h in halves], _("Total")],
        )
        for i, (label, cells) in enumerate(rows):
            table.rows.append(
                [
                    text(label),
                    *[Cell(v, hidden=flags.cells[i][j]) for j, v in enumerate(cells)],
                    Cell(sum(cells), hidden=flags.row_totals[i]),
                ]
            )
        totals = [sum(cells[j] for _label, cells in rows) for j in range(len(keys))]
        table.total = [
            text(_("Total")),
            *[Cell(v, hidden=flags.totals[j]) for j, v in enumerate(totals)],
            Cell(sum(totals), hidden=flags.grand),
        ]
        result.append(table)

    waits: dict[str, list[tuple[int, int]]] = {k: [] for k in keys}
    for row in statistics.feedback_days(unit=unit, start=period.start_at, end=period.end_at):
        key = HalfYear.of(row["received_on"]).key
        if key in waits:
            waits[key].append(((row["feedback_on"] - row["received_on"]).days, row["count"]))
    given = [[sum(c for _d, c in waits[k])] for k in keys]
    given_hidden = tables.hide(given, 1, suppressed=True)
    feedback = Table(
        key="concerns_feedback",
        caption=_("Time to feedback"),
        columns=[_("Half-year"), _("Concerns with feedback"), _("Median time to feedback")],
    )

    def median(pairs, count, hide):
        days = periods.median_days(pairs)
        return Cell(days, DAYS, hidden=hide or count < suppression.SMALLEST)

    for i, half in enumerate(halves):
        feedback.rows.append(
            [
                text(half.label),
                Cell(given[i][0], hidden=given_hidden.cells[i][0]),
                median(waits[half.key], given[i][0], given_hidden.cells[i][0]),
            ]
        )
    everyone = sum(r[0] for r in given)
    feedback.total = [
        text(_("Total")),
        Cell(everyone, hidden=given_hidden.totals[0]),
        median([p for k in keys for p in waits[k]], everyone, given_hidden.totals[0]),
    ]
    result.append(feedback)

    route_rows, route_flags = labelled[0], hidden[0]
    figure = charts.bars(
        categories=[h.label for h in halves],
        series=[
            (
                label,
                [None if route_flags.cells[i][j] else v for j, v in enumerate(cells)],
            )
            for i, (label, cells) in enumerate(route_rows)
        ],
        title=_("Concerns per half-year by route"),
        axis=_("Concerns"),
        stacked=True,
    )
    return Section(
        key="concerns",
        title=_("Concerns"),
        period_label=period.label,
        computed_at=timezone.now(),
        tables=result,
        figure=figure,
        notes=[
            _(
                "Counts only: no case is shown here. Counts from 1 to 4, and whatever would give "
                "them away, are shown as “<5” to everyone."
            )
        ],
    )
