"""Courses for the Overblik page: completions and the quiz pass rate per half-year, for the people
of a scope (an org unit's subtree). Two GROUP BY queries; pandas bins the monthly sums into
half-years. Counts of people are suppressed for whoever may not see names."""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Completion, QuizAttempt
from lms.people.models import OrgUnit
from reports.lib import charts, periods, tables
from reports.lib.periods import Period
from reports.lib.tables import Cell, Section, Table, text


def completions_by_month(*, unit: OrgUnit, period: Period) -> list[dict]:
    """[{"month", "completions"}]. One query."""
    return list(
        Completion.objects.filter(
            enrolment__person__org_unit__path__startswith=unit.path,
            completed_on__gte=period.start,
            completed_on__lt=period.end_exclusive,
        )
        .annotate(month=TruncMonth("completed_on"))
        .values("month")
        .annotate(completions=Count("pk"))
        .order_by()
    )


def attempts_by_month(*, unit: OrgUnit, period: Period) -> list[dict]:
    """[{"month", "passes", "fails"}]: quiz attempts submitted. One query."""
    return list(
        QuizAttempt.objects.filter(
            enrolment__person__org_unit__path__startswith=unit.path,
            submitted_at__gte=period.start_at,
            submitted_at__lt=period.end_at,
        )
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(
            passes=Count("pk", filter=Q(passed=True)),
            fails=Count("pk", filter=Q(passed=False)),
        )
        .order_by()
    )


def _shown(cells: list[list[int]], hidden: list[list[bool]]) -> list[int | None]:
    """The first count of each row for the chart, None where it is hidden."""
    return [None if hide[0] else row[0] for row, hide in zip(cells, hidden, strict=True)]


def section(*, unit: OrgUnit, period: Period, suppressed: bool) -> Section:
    halves = period.halves
    done = periods.by_half(completions_by_month(unit=unit, period=period), period, ["completions"])
    tried = periods.by_half(
        attempts_by_month(unit=unit, period=period), period, ["passes", "fails"]
    )
    completions = [[int(done.at[h.key, "completions"])] for h in halves]
    attempts = [[int(tried.at[h.key, "passes"]), int(tried.at[h.key, "fails"])] for h in halves]
    done_hidden = tables.hide(completions, 1, suppressed)
    tried_hidden = tables.hide(attempts, 2, suppressed)

    table = Table(
        key="courses",
        caption=_("Course completions and quiz results"),
        columns=[
            _("Half-year"),
            _("Completions"),
            _("Quizzes passed"),
            _("Quizzes failed"),
            _("Quizzes submitted"),
            _("Pass rate"),
        ],
    )
    for i, half in enumerate(halves):
        submitted = sum(attempts[i])
        table.rows.append(
            [
                text(half.label),
                Cell(completions[i][0], hidden=done_hidden.cells[i][0]),
                Cell(attempts[i][0], hidden=tried_hidden.cells[i][0]),
                Cell(attempts[i][1], hidden=tried_hidden.cells[i][1]),
                Cell(submitted, hidden=tried_hidden.row_totals[i]),
                tables.share(attempts[i][0], submitted, tried_hidden.share_shown(i, [0])),
            ]
        )
    passed = sum(r[0] for r in attempts)
    submitted = sum(map(sum, attempts))
    table.total = [
        text(_("Total")),
        Cell(sum(r[0] for r in completions), hidden=done_hidden.totals[0]),
        Cell(passed, hidden=tried_hidden.totals[0]),
        Cell(submitted - passed, hidden=tried_hidden.totals[1]),
        Cell(submitted, hidden=tried_hidden.grand),
        tables.share(passed, submitted, tried_hidden.share_shown(None, [0])),
    ]
    figure = charts.bars(
        categories=[h.label for h in halves],
        series=[
            (
                _("Completions"),
                _shown(completions, done_hidden.cells),
            ),
            (
                _("Quizzes passed"),
                _shown(attempts, tried_hidden.cells),
            ),
        ],
        title=_("Completions and quizzes passed per half-year"),
        axis=_("Number"),
    )
    return Section(
        key="courses",
        title=_("Courses"),
        period_label=period.label,
        computed_at=timezone.now(),
        tables=[table],
        figure=figure,
        notes=[_("Pass rate: the share of the quizzes submitted that were passed.")],
    )
