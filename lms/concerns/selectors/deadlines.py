"""The deadlines of a case and which cases are overdue.

A case is due two things, counted in calendar days from the day it was received, with the
periods its Infohus set (models.settings.ConcernSettings, or the defaults):
- acknowledgement: the Infohus records the case's first step (the leader informed) by
  `acknowledge_due_on`; until then the case is "received";
- feedback: the reporter has had feedback by `feedback_due_on` (status feedback given or closed).
A case past a deadline it has not met is overdue. Both dates are stored on the case when it
comes in (services.intake), so the list sorts and filters by them in the database.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField, Case, DateField, F, Q, QuerySet, Value, When

from lms.concerns.models import Concern, ConcernReminder, ConcernSettings
from lms.concerns.models.settings import DEFAULT_ACKNOWLEDGE_DAYS, DEFAULT_FEEDBACK_DAYS

Status = Concern.Status
Deadline = ConcernReminder.Deadline
# Statuses in which the feedback is still owed (the acknowledgement is met in all but RECEIVED).
AWAITING_FEEDBACK = [
    Status.RECEIVED,
    Status.LEADER_INFORMED,
    Status.INTERVIEW,
    Status.ANALYSIS,
    Status.ASSESSMENT,
    Status.OUTCOME,
]


def periods_for(infohus) -> tuple[int, int]:
    """(acknowledge days, feedback days) of an Infohus unit: its settings or the defaults."""
    row = ConcernSettings.objects.filter(infohus=infohus).first()
    if row is None:
        return DEFAULT_ACKNOWLEDGE_DAYS, DEFAULT_FEEDBACK_DAYS
    return row.acknowledge_days, row.feedback_days


def due_dates(*, infohus, received_on: dt.date) -> tuple[dt.date, dt.date]:
    acknowledge, feedback = periods_for(infohus)
    return received_on + dt.timedelta(days=acknowledge), received_on + dt.timedelta(days=feedback)


def _owed_q(deadline: str) -> Q:
    if deadline == Deadline.ACKNOWLEDGE:
        return Q(status=Status.RECEIVED)
    return Q(status__in=AWAITING_FEEDBACK)


def due_q(*, today: dt.date) -> Q:
    """Cases with a deadline on or before `today` that they have not met."""
    return Q(_owed_q(Deadline.ACKNOWLEDGE), acknowledge_due_on__lte=today) | Q(
        _owed_q(Deadline.FEEDBACK), feedback_due_on__lte=today
    )


def overdue_q(*, today: dt.date) -> Q:
    """Cases past a deadline (before `today`) that they have not met."""
    return Q(_owed_q(Deadline.ACKNOWLEDGE), acknowledge_due_on__lt=today) | Q(
        _owed_q(Deadline.FEEDBACK), feedback_due_on__lt=today
    )


def with_deadlines(cases: QuerySet[Concern], *, today: dt.date) -> QuerySet[Concern]:
    """Annotate `next_due_on` (the next deadline the case owes, None when it owes none) and
    `overdue` (a deadline has passed unmet)."""
    return cases.annotate(
        next_due_on=Case(
            When(status=Status.RECEIVED, then=F("acknowledge_due_on")),
            When(status__in=AWAITING_FEEDBACK, then=F("feedback_due_on")),
            default=Value(None),
            output_field=DateField(),
        ),
        overdue=Case(
            When(overdue_q(today=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def deadlines_owed(concern: Concern, *, today: dt.date) -> list[tuple[str, dt.date]]:
    """The (deadline, due date) pairs of `concern` that are due by `today` and not met."""
    owed = []
    if concern.status == Status.RECEIVED and concern.acknowledge_due_on:
        if concern.acknowledge_due_on <= today:
            owed.append((Deadline.ACKNOWLEDGE, concern.acknowledge_due_on))
    if concern.status in AWAITING_FEEDBACK and concern.feedback_due_on:
        if concern.feedback_due_on <= today:
            owed.append((Deadline.FEEDBACK, concern.feedback_due_on))
    return owed
