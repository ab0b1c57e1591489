"""Half-years (H1: January to June, H2: July to December).

One `HalfYear` serves the trend and the half-year report (its `last_day`, inclusive, is the day its
figures are computed as of) and the Overblik sections' period filter (`?from=2026H1&to=2026H2`;
`Period` is a run of half-years, and its `end_exclusive` bounds the queries). `by_half` bins the
database's monthly sums into half-years with pandas. Nothing here reads the database.
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
    """A half-year: `HalfYear(2026, 1)` is January to June 2026. Its key ("2026H1") is what the
    URL carries; its label ("1. halvår 2026") what people read."""

    year: int
    half: int  # 1 or 2

    def __post_init__(self):
        if self.half not in (1, 2):
            raise ValueError(f"A half-year is 1 or 2, not {self.half!r}")

    @classmethod
    def of(cls, day: dt.date) -> HalfYear:
        """The half-year `day` falls in."""
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, key: str) -> HalfYear | None:
        """'2026H1' -> HalfYear(2026, 1); None for anything else."""
        year, sep, half = (key or "").upper().partition("H")
        if not sep or not year.isdigit() or half not in ("1", "2") or len(year) != 4:
            return None
        return cls(int(year), int(half))

    @property
    def key(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def start(self) -> dt.date:
        """Its first day."""
        return dt.date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def last_day(self) -> dt.date:
        """Its last day (30 June or 31 December), inclusive."""
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    @property
    def end_exclusive(self) -> dt.date:
        """The first day after it (the bound of a `< end` query)."""
        return self.next.start

    @property
    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    @property
    def next(self) -> HalfYear:
        return HalfYear(self.year, 2) if self.half == 1 else HalfYear(self.year + 1, 1)

    def is_closed(self, today: dt.date) -> bool:
        return self.last_day < today

    def as_of(self, today: dt.date) -> dt.date:
        """The day its figures are computed as of: its last day once it has ended, else today."""
        return min(self.last_day, today)

    @property
    def label(self) -> str:
        """'1. halvår 2026'."""
        return _("H%(half)d %(year)d") % {"half": self.half, "year": self.year}

    def __str__(self) -> str:
        return self.label


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


@dataclass(frozen=True)
class Period:
    """The half-years from `first` to `last`, both included."""

    first: HalfYear
    last: HalfYear

    @property
    def halves(self) -> list[HalfYear]:
        halves, half = [], self.first
        while half <= self.last:
            halves.append(half)
            half = half.next
        return halves

    @property
    def start(self) -> dt.date:
        return self.first.start

    @property
    def end_exclusive(self) -> dt.date:
        """The first day after the period."""
        return self.last.end_exclusive

    @property
    def start_at(self) -> dt.datetime:
        return _aware(self.start)

    @property
    def end_at(self) -> dt.datetime:
        return _aware(self.end_exclusive)

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


def choices(today: dt.date | None = None) -> list[HalfYear]:
    """The half-years the filter offers, newest first: the current one and the seven before."""
    half = HalfYear.of(today or timezone.localdate())
    halves = []
    for _i in range(CHOICES):
        halves.append(half)
        half = half.previous
    return halves


def period_from(params: Mapping[str, str], today: dt.date | None = None) -> Period:
    """The period of the URL's `from` and `to` (half-year keys); the last DEFAULT half-years when
    missing or not one of the choices. Reversed bounds are put in order."""
    offered = choices(today)
    last = HalfYear.parse(params.get("to", ""))
    first = HalfYear.parse(params.get("from", ""))
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
        {"half": HalfYear.of(month_of(row[month])).key, **{c: row[c] or 0 for c in columns}}
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
