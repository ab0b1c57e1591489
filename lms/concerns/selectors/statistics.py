"""Counts of concerns for the steering group's dashboards: aggregates only, never a case.

Every read here returns counts grouped in the database (GROUP BY, one query each), with no case
content, no reference and no name: the dashboards (reports) suppress the small ones. An area is an
org unit's subtree: the concerns received by an Infohus inside it, or reported from a workplace
inside it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.db.models.functions import Substr, TruncDate, TruncMonth

from lms.concerns.models import Concern
from lms.people.models import OrgUnit

# The breakdowns `counts_by_month` offers: a field of the case, or the reporter's administration
# (the unit one level below the area's top, None for concerns from outside the area's units).
BREAKDOWNS = ("route", "outcome", "age_group", "administration")


def concerns_in_area(*, unit: OrgUnit, start: dt.datetime, end: dt.datetime) -> QuerySet[Concern]:
    """The concerns of `unit`'s subtree received from `start` until (not including) `end`."""
    return Concern.objects.filter(
        Q(infohus__path__startswith=unit.path) | Q(reporter_unit__path__startswith=unit.path),
        created_at__gte=start,
        created_at__lt=end,
    )


def counts_by_month(*, unit: OrgUnit, start: dt.datetime, end: dt.datetime, by: str) -> list[dict]:
    """[{"month", "value", "count"}]: the area's concerns per month received and `by` (one of
    BREAKDOWNS). One query."""
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown: {by}")
    concerns = concerns_in_area(unit=unit, start=start, end=end)
    if by == "administration":
        child = len(unit.path) + OrgUnit.steplen
        # A reporter on the area's top unit itself, or outside it, has no administration here.
        inside = Q(reporter_unit__path__startswith=unit.path) & ~Q(reporter_unit__path=unit.path)
        value = Case(When(inside, then=Substr("reporter_unit__path", 1, child)), default=None)
    else:
        value = F(by)
    return list(
        concerns.annotate(month=TruncMonth("created_at"), value=value)
        .values("month", "value")
        .annotate(count=Count("pk"))
        .order_by()
    )


def feedback_days(*, unit: OrgUnit, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """[{"received_on", "feedback_on", "count"}]: the area's concerns with feedback given, counted
    per day received and day of feedback (the time to feedback in days, as a histogram). One
    query."""
    return list(
        concerns_in_area(unit=unit, start=start, end=end)
        .filter(feedback_on__isnull=False)
        .annotate(received_on=TruncDate("created_at"))
        .values("received_on", "feedback_on")
        .annotate(count=Count("pk"))
        .order_by()
    )
