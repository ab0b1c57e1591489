"""The tables of the Overblik sections (outreach, courses, newsletters, concerns): cells that know
how they read on the page (Danish formats) and in the XLSX export (numbers and dates as such), and
the small-number suppression of a block of counts (reports.lib.suppression).

A hidden count reads "<5"; a hidden share or median reads "–" (it is not a count, so "<5" would
mislead), explained by the page's legend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.lib import suppression

COUNT, PERCENT, DAYS, TEXT, DATE = "count", "percent", "days", "text", "date"
# What a hidden share or median reads.
WITHHELD = "–"


@dataclass
class Cell:
    value: int | float | str | dt.date | None
    kind: str = COUNT
    hidden: bool = False

    @property
    def text(self) -> str:
        if self.hidden:
            return suppression.HIDDEN if self.kind == COUNT else WITHHELD
        if self.value is None:
            return "" if self.kind == TEXT else WITHHELD
        if self.kind == COUNT:
            return number_format(self.value, 0, force_grouping=True)
        if self.kind == PERCENT:
            # number_format cuts the decimals off: round first (88.89 reads 88,9).
            return f"{number_format(round(self.value, 1), 1)} pct."
        if self.kind == DAYS:
            return _("%(days)s days") % {"days": number_format(round(self.value, 1), 1)}
        if self.kind == DATE:
            return formats.date_format(self.value, "SHORT_DATE_FORMAT")
        return str(self.value)

    @property
    def xlsx(self) -> int | float | str | dt.date | None:
        """The value for the export: numbers and dates as such, what is hidden as on the page."""
        if self.hidden:
            return self.text
        if self.value is None:
            return None
        if self.kind == PERCENT:
            return round(float(self.value), 1)
        if self.kind == DAYS:
            return round(float(self.value), 1)
        return self.value

    @property
    def numeric(self) -> bool:
        return self.kind in (COUNT, PERCENT, DAYS)


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]
    # Each row: its label (a TEXT cell) first, then its figures.
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None

    @property
    def empty(self) -> bool:
        return not self.rows


def text(value: str) -> Cell:
    return Cell(value, TEXT)


def share(numerator: int, denominator: int, shown: bool = True) -> Cell:
    """numerator / denominator in per cent; withheld when not `shown` or the group is small."""
    if not denominator:
        return Cell(None, PERCENT)
    hidden = not shown or denominator < suppression.SMALLEST
    return Cell(100 * numerator / denominator, PERCENT, hidden=hidden)


@dataclass
class Hidden:
    """What suppression hides in a block of counts (rows by parts, with row and column totals)."""

    cells: list[list[bool]]
    row_totals: list[bool]
    totals: list[bool]
    grand: bool
    table: suppression.Table | None = None

    def share_shown(self, i: int | None, parts: list[int]) -> bool:
        return True if self.table is None else self.table.share_shown(i, parts)


def hide(cells: list[list[int]], parts: int, suppressed: bool) -> Hidden:
    """The hidden flags of a block of counts: nothing when not `suppressed`."""
    if not suppressed:
        return Hidden(
            [[False] * parts for _row in cells], [False] * len(cells), [False] * parts, False
        )
    table = suppression.suppress(suppression.Table(cells=[list(r) for r in cells], parts=parts))
    return Hidden(
        table.hidden, table.row_total_hidden, table.total_hidden, table.grand_hidden, table
    )


def hide_linked(blocks: list[list[list[int]]], parts: int, suppressed: bool) -> list[Hidden]:
    """As `hide`, for blocks that break the same totals down in different ways."""
    if not suppressed:
        return [hide(cells, parts, False) for cells in blocks]
    tables = suppression.suppress_linked(
        [suppression.Table(cells=[list(r) for r in cells], parts=parts) for cells in blocks]
    )
    return [Hidden(t.hidden, t.row_total_hidden, t.total_hidden, t.grand_hidden, t) for t in tables]


@dataclass
class Section:
    """One section of the Overblik page below the coverage: its tables, the chart of the first
    (with the table beside it as its text alternative), the period and when it was computed."""

    key: str
    title: str
    period_label: str
    computed_at: dt.datetime
    tables: list[Table] = field(default_factory=list)
    figure: dict | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def figure_id(self) -> str:
        return f"section-{self.key}-figure"
