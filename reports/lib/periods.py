"""Half-years (H1: January to June, H2: July to December) and the action plan's four-year period.

The action plan runs four years from settings.REPORTS_ACTION_PLAN_START (the first day of a
half-year): eight half-years. The trend shows those that have begun. Pure: no database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
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
