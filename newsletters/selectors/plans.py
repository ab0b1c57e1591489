"""When the next edition is due, per Infohus (newsletters.models.plans).

A year has two halves, January-June and July-December, and each is due one edition by the first
of its plan's month. A half is covered by a send of the Infohus that is scheduled, running,
paused or sent with its time (started, else scheduled) inside the half; drafts, cancelled sends
and urgent messages do not count. Reads are a fixed number of queries however many units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from lms.people.models import OrgUnit
from lms.site.models import HomePage
from newsletters.models import EditionPlan, Send

S = Send.Status
COVERING = (S.SCHEDULED, S.SENDING, S.PAUSED, S.SENT)


@dataclass(frozen=True)
class EditionDue:
    """One half-year's edition of one Infohus."""

    due_on: dt.date
    half_start: dt.date  # inclusive
    half_end: dt.date  # exclusive
    remind_on: dt.date
    # The earliest send that covers the half, if any.
    send: Send | None

    @property
    def covered(self) -> bool:
        return self.send is not None

    def overdue(self, today: dt.date) -> bool:
        return not self.covered and today > self.due_on

    def reminder_due(self, today: dt.date) -> bool:
        """Not covered, and `today` lies between the reminder day and the due date (a range, so
        that a day on which the beat task did not run is caught up the next day)."""
        return not self.covered and self.remind_on <= today <= self.due_on


def _half_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def _next_half(start: dt.date) -> dt.date:
    return dt.date(start.year, 7, 1) if start.month == 1 else dt.date(start.year + 1, 1, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def plan_default(unit: OrgUnit) -> EditionPlan:
    """The plan of an Infohus that has not set its own (not saved)."""
    return EditionPlan(org_unit=unit)


def plans_of(units: Iterable[OrgUnit]) -> dict[int, EditionPlan]:
    """Each unit's plan, its own or the defaults. One query."""
    units = list(units)
    own = {plan.org_unit_id: plan for plan in EditionPlan.objects.filter(org_unit__in=units)}
    return {unit.pk: own.get(unit.pk) or plan_default(unit) for unit in units}


def _due(plan: EditionPlan, half_start: dt.date, send: Send | None) -> EditionDue:
    month = plan.first_due_month if half_start.month == 1 else plan.second_due_month
    due_on = dt.date(half_start.year, month, 1)
    return EditionDue(
        due_on=due_on,
        half_start=half_start,
        half_end=_next_half(half_start),
        remind_on=due_on - dt.timedelta(weeks=plan.reminder_weeks),
        send=send,
    )


def dues_by_unit(
    units: Iterable[OrgUnit], *, today: dt.date | None = None
) -> dict[int, list[EditionDue]]:
    """For each unit, the editions of the current half-year and the next, in order. Two
    queries for any number of units."""
    today = today or timezone.localdate()
    units = list(units)
    plans = plans_of(units)
    halves = [_half_start(today)]
    halves.append(_next_half(halves[0]))
    sends = (
        Send.objects.filter(org_unit__in=units, urgent=False, status__in=COVERING)
        .annotate(at=Coalesce("started_at", "scheduled_at"))
        .filter(at__gte=_aware(halves[0]), at__lt=_aware(_next_half(halves[1])))
        .order_by("at", "pk")
    )
    first: dict[tuple[int, dt.date], Send] = {}
    for send in sends:
        half = _half_start(timezone.localdate(send.at))
        first.setdefault((send.org_unit_id, half), send)
    return {
        unit.pk: [_due(plans[unit.pk], half, first.get((unit.pk, half))) for half in halves]
        for unit in units
    }


def edition_dues(*, unit: OrgUnit, today: dt.date | None = None) -> list[EditionDue]:
    """The current half-year's edition and the next one's, of one Infohus."""
    return dues_by_unit([unit], today=today)[unit.pk]


def edition_next(*, unit: OrgUnit, today: dt.date | None = None) -> EditionDue:
    """The first edition not yet covered (the current half-year's, even when overdue), or the
    next half-year's when both are covered."""
    dues = edition_dues(unit=unit, today=today)
    return next((due for due in dues if not due.covered), dues[-1])


def infohus_units() -> list[OrgUnit]:
    """The units an Infohus site is for (HomePage.org_unit), by name."""
    homes = HomePage.objects.filter(org_unit__isnull=False).values("org_unit")
    return list(OrgUnit.objects.filter(Q(pk__in=homes)).order_by("name", "pk"))
