"""Half-years (H1: January to June, H2: July to December).

Two uses: `HalfYear` and the action plan's four-year period serve the trend and the half-year
report (a half-year's last day, inclusive, is the day its figures are computed as of); `Half`,
`Period` and `by_half` serve the Overblik sections' period filter (`?from=2026H1&to=2026H2`,
ends exclusive) and bin the database's monthly sums into half-years with pandas. Nothing here
reads the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

PLAN_YEARS = 4


@dataclass(frozen=True, order=True)
class HalfYear:
    start: dt.date

    @classmethod
    def of(cls, day: dt.date) -> HalfYear:
        return cls(dt.date(day.year, 1 if day.month <= 6 else 7, 1))

    @property
    def end(self) -> dt.date:
        """The last day of the half-year."""
        return (
            dt.date(self.start.year, 6, 30)
            if self.start.month == 1
            else dt.date(self.start.year, 12, 31)
        )

    @property
    def half(self) -> int:
        return 1 if self.start.month == 1 else 2

    @property
    def previous(self) -> HalfYear:
        if self.half == 1:
            return HalfYear(dt.date(self.start.year - 1, 7, 1))
        return HalfYear(dt.date(self.start.year, 1, 1))

    @property
    def next(self) -> HalfYear:
        if self.half == 1:
            return HalfYear(dt.date(self.start.year, 7, 1))
        return HalfYear(dt.date(self.start.year + 1, 1, 1))

    def is_closed(self, today: dt.date) -> bool:
        return self.end < today

    def as_of(self, today: dt.date) -> dt.date:
        """The day its figures are computed as of: its last day once it has ended, else today."""
        return min(self.end, today)

    @property
    def label(self) -> str:
        """'1. halvår 2026'."""
        if self.half == 1:
            return _("H1 %(year)d") % {"year": self.start.year}
        return _("H2 %(year)d") % {"year": self.start.year}

    def __str__(self) -> str:
        return f"{self.start.year}H{self.half}"


def plan_start() -> HalfYear:
    return HalfYear.of(settings.REPORTS_ACTION_PLAN_START)


def plan_half_years(today: dt.date) -> list[HalfYear]:
    """The action plan's half-years that have begun by `today`, oldest first."""
    periods = []
    period = plan_start()
    for _index in range(2 * PLAN_YEARS):
        if period.start > today:
            break
        periods.append(period)
        period = period.next
    return periods


# The action plan runs four years: the filter offers its eight half-years.
CHOICES = 8
# Shown when no period is asked for: the last two years.
DEFAULT = 4


@dataclass(frozen=True, order=True)
class Half:
    year: int
    half: int  # 1 or 2

    @classmethod
    def of(cls, day: dt.date) -> Half:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, key: str) -> Half | None:
        """'2026H1' -> Half(2026, 1); None for anything else."""
        year, sep, half = (key or "").upper().partition("H")
        if not sep or not year.isdigit() or half not in ("1", "2") or len(year) != 4:
            return None
        return cls(int(year), int(half))

    @property
    def key(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the half."""
        return self.next().start

    def next(self) -> Half:
        return Half(self.year, 2) if self.half == 1 else Half(self.year + 1, 1)

    def previous(self) -> Half:
        return Half(self.year, 1) if self.half == 2 else Half(self.year - 1, 2)

    @property
    def label(self) -> str:
        return _("H%(half)s %(year)s") % {"half": self.half, "year": self.year}

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class Period:
    """The half-years from `first` to `last`, both included."""

    first: Half
    last: Half

    @property
    def halves(self) -> list[Half]:
        halves, half = [], self.first
        while half <= self.last:
            halves.append(half)
            half = half.next()
        return halves

    @property
    def start(self) -> dt.date:
        return self.first.start

    @property
    def end(self) -> dt.date:
        """The first day after the period."""
        return self.last.end

    @property
    def start_at(self) -> dt.datetime:
        return _aware(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return _aware(self.end)

    @property
    def years(self) -> list[int]:
        return list(range(self.first.year, self.last.year + 1))

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.label
        return _("%(first)s to %(last)s") % {"first": self.first.label, "last": self.last.label}


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def choices(today: dt.date | None = None) -> list[Half]:
    """The half-years the filter offers, newest first: the current one and the seven before."""
    half = Half.of(today or timezone.localdate())
    halves = []
    for _i in range(CHOICES):
        halves.append(half)
        half = half.previous()
    return halves


def period_from(params: Mapping[str, str], today: dt.date | None = None) -> Period:
    """The period of the URL's `from` and `to` (half-year keys); the last DEFAULT half-years when
    missing or not one of the choices. Reversed bounds are put in order."""
    offered = choices(today)
    last = Half.parse(params.get("to", ""))
    first = Half.parse(params.get("from", ""))
    if last not in offered:
        last = offered[0]
    if first not in offered:
        first = offered[DEFAULT - 1]
    if first > last:
        first, last = last, first
    return Period(first, last)


def month_of(value: dt.date | dt.datetime) -> dt.date:
    """The first of the month of a TruncMonth value (a date, or an aware datetime)."""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def by_half(
    rows: Iterable[Mapping], period: Period, columns: list[str], month: str = "month"
) -> pd.DataFrame:
    """Monthly sums (each row: `month` and the `columns`) binned into the period's half-years: a
    frame indexed by half-year key with one int column per name in `columns`, zeros included."""
    records = [
        {"half": Half.of(month_of(row[month])).key, **{c: row[c] or 0 for c in columns}}
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=["half", *columns])
    frame = frame.groupby("half")[columns].sum() if len(frame) else frame.set_index("half")
    keys = [h.key for h in period.halves]
    return frame.reindex(keys, fill_value=0).fillna(0).astype("int64")


def median_days(pairs: Iterable[tuple[int, int]]) -> float | None:
    """The median of a histogram of (days, count) pairs; None when it is empty."""
    frame = pd.DataFrame.from_records(list(pairs), columns=["days", "count"])
    frame = frame[frame["count"] > 0]
    if frame.empty:
        return None
    frame = frame.groupby("days")["count"].sum().sort_index()
    total = int(frame.sum())
    cumulative = frame.cumsum()
    lower = int(cumulative.searchsorted((total + 1) // 2))
    upper = int(cumulative.searchsorted(total // 2 + 1))
    return (float(frame.index[lower]) + float(frame.index[upper])) / 2
