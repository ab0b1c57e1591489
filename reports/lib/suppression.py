"""Small-number suppression for figures shown to anyone who may not see names.

A table of counts: rows (units, job categories) by parts (valid, expiring, expired, missing), each
row's total (required) the sum of its parts, and a total row of column sums. Rules:

- primary: a count from 1 to SMALLEST - 1 is not shown ("<5");
- percentages: a share is shown only when its numerator's counts and its denominator are shown and
  the denominator is at least SMALLEST;
- secondary: in every line of the table (a row with its total, a column with its total) one
  hidden cell could be worked out as the total minus the shown cells, so a line that hides exactly
  one cell hides one more: the smallest positive shown part, else the line's total. This repeats
  until no line hides exactly one cell.

Several tables that share one total row (the same scope broken down by unit and by job category)
are suppressed together (`suppress_linked`): what one table hides in the total row, every table
hides, or the other breakdown would give it away.

Pure: no database, no Django. A mask is True where a cell is hidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

SMALLEST = 5
HIDDEN = "<5"


def is_small(value: int) -> bool:
    return 0 < value < SMALLEST


@dataclass
class Table:
    """Counts by row and part; the row totals and the total row are derived from them."""

    cells: list[list[int]]
    parts: int
    # hidden[i][j]: part j of row i; row_total_hidden[i]; total_hidden[j]: the total row's part j;
    # grand_hidden: the total row's total.
    hidden: list[list[bool]] = field(default_factory=list)
    row_total_hidden: list[bool] = field(default_factory=list)
    total_hidden: list[bool] = field(default_factory=list)
    grand_hidden: bool = False

    def __post_init__(self):
        for row in self.cells:
            if len(row) != self.parts:
                raise ValueError("Every row needs one count per part.")
            if any(value < 0 for value in row):
                raise ValueError("Counts are never negative.")
        if not self.hidden:
            self.hidden = [[False] * self.parts for _row in self.cells]
            self.row_total_hidden = [False] * len(self.cells)
            self.total_hidden = [False] * self.parts

    # The cells never change once the table is made: the margins are computed once.
    @cached_property
    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.cells]

    @cached_property
    def totals(self) -> list[int]:
        return [sum(row[j] for row in self.cells) for j in range(self.parts)]

    @cached_property
    def grand(self) -> int:
        return sum(self.row_totals)

    def _lines(self):
        """Every line as (values, getter/setter keys): parts first, the line's total last."""
        rows = len(self.cells)
        for i in range(rows):
            yield [("cell", i, j) for j in range(self.parts)] + [("row_total", i, None)]
        yield [("total", None, j) for j in range(self.parts)] + [("grand", None, None)]
        for j in range(self.parts):
            yield [("cell", i, j) for i in range(rows)] + [("total", None, j)]
        yield [("row_total", i, None) for i in range(rows)] + [("grand", None, None)]

    def value(self, key) -> int:
        kind, i, j = key
        if kind == "cell":
            return self.cells[i][j]
        if kind == "row_total":
            return self.row_totals[i]
        if kind == "total":
            return self.totals[j]
        return self.grand

    def is_hidden(self, key) -> bool:
        kind, i, j = key
        if kind == "cell":
            return self.hidden[i][j]
        if kind == "row_total":
            return self.row_total_hidden[i]
        if kind == "total":
            return self.total_hidden[j]
        return self.grand_hidden

    def hide(self, key) -> None:
        kind, i, j = key
        if kind == "cell":
            self.hidden[i][j] = True
        elif kind == "row_total":
            self.row_total_hidden[i] = True
        elif kind == "total":
            self.total_hidden[j] = True
        else:
            self.grand_hidden = True

    def share_shown(self, i: int | None, numerator_parts: Sequence[int]) -> bool:
        """Whether a share of row i's total (the total row when i is None) made of
        `numerator_parts` may be shown."""
        if i is None:
            total, total_hidden = self.grand, self.grand_hidden
            parts_hidden = [self.total_hidden[j] for j in numerator_parts]
        else:
            total, total_hidden = self.row_totals[i], self.row_total_hidden[i]
            parts_hidden = [self.hidden[i][j] for j in numerator_parts]
        return total >= SMALLEST and not total_hidden and not any(parts_hidden)


def _primary(table: Table) -> None:
    for line in table._lines():
        for key in line:
            if is_small(table.value(key)):
                table.hide(key)


def _secondary_pass(table: Table) -> bool:
    """Hide one more cell in each line that hides exactly one; True when anything changed."""
    changed = False
    for line in table._lines():
        hidden = [key for key in line if table.is_hidden(key)]
        if len(hidden) != 1:
            continue
        parts, total = line[:-1], line[-1]
        candidates = [key for key in parts if not table.is_hidden(key) and table.value(key) > 0]
        if candidates:
            table.hide(min(candidates, key=table.value))
        elif not table.is_hidden(total):
            table.hide(total)
        else:
            # The total is the one hidden and every shown part is 0: the total is 0 too (a
            # hidden 0 tells nothing), or it is the sum of zeros. Hide a zero part all the same,
            # so that no line ever hides exactly one cell.
            zeros = [key for key in parts if not table.is_hidden(key)]
            if not zeros:
                continue
            table.hide(zeros[0])
        changed = True
    return changed


def suppress(table: Table) -> Table:
    """Hide the small counts of `table` and what would give them away (in place; returns it)."""
    return suppress_linked([table])[0]


def suppress_linked(tables: list[Table]) -> list[Table]:
    """Suppress tables that share one total row (the same figures broken down two ways)."""
    if not tables:
        return tables
    totals = tables[0].totals
    if any(table.totals != totals for table in tables):
        raise ValueError("Linked tables must share their total row.")
    for table in tables:
        _primary(table)
    while True:
        changed = False
        for table in tables:
            while _secondary_pass(table):
                changed = True
        # What any table hides in the shared total row, all hide.
        shared = [any(table.total_hidden[j] for table in tables) for j in range(len(totals))]
        grand = any(table.grand_hidden for table in tables)
        for table in tables:
            if table.total_hidden != shared or table.grand_hidden != grand:
                table.total_hidden = list(shared)
                table.grand_hidden = grand
                changed = True
        if not changed:
            return tables


def shown(value: int, hidden: bool) -> int | str:
    """The value as a viewer who may not see names sees it."""
    return HIDDEN if hidden else value
