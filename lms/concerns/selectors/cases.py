"""Reads of cases for the Infohus (the admin) and for department contacts (a count only)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, QuerySet
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.concerns import access
from lms.concerns.models import Concern
from lms.concerns.selectors import deadlines

SORTS = {
    "-received": ["-created_at", "-pk"],
    "received": ["created_at", "pk"],
    # The next deadline first; cases that owe none last.
    "due": [F("next_due_on").asc(nulls_last=True), "created_at", "pk"],
    "-due": [F("next_due_on").desc(nulls_last=True), "-created_at", "-pk"],
}


def cases_for(
    user, *, status: str = "", sort: str = "-received", today: dt.date | None = None
) -> QuerySet[Concern]:
    """The cases `user` may read, annotated with their next deadline and whether they are
    overdue (selectors.deadlines); `status` "open", "overdue" or a Status value filters; `sort`
    one of SORTS (newest first by default)."""
    today = today or timezone.localdate()
    cases = deadlines.with_deadlines(
        Concern.objects.filter(access.cases_visible_q(user)).select_related("infohus"),
        today=today,
    )
    if status == "open":
        cases = cases.exclude(status=Concern.Status.CLOSED)
    elif status == "overdue":
        cases = cases.filter(deadlines.overdue_q(today=today))
    elif status in Concern.Status.values:
        cases = cases.filter(status=status)
    return cases.order_by(*SORTS.get(sort, SORTS["-received"]))


def overdue_for(user, *, today: dt.date | None = None) -> QuerySet[Concern]:
    """The overdue cases `user` may read, the longest overdue first (the admin home's panel)."""
    return cases_for(user, status="overdue", sort="due", today=today)


def case_for(user, pk: int) -> Concern | None:
    return (
        Concern.objects.filter(access.cases_visible_q(user))
        .select_related("infohus", "reporter_unit", "forwarded_service", "forwarded_by")
        .filter(pk=pk)
        .first()
    )


def audit_trail(concern: Concern) -> list[ModelLogEntry]:
    """Every read and change of the case, newest first, with who did it."""
    return list(
        ModelLogEntry.objects.for_instance(concern).select_related("user").order_by("-timestamp")
    )


def open_from_my_area(user) -> int:
    """How many concerns reported from a workplace in the user's area are open: all a
    department contact learns (never which, nor about whom)."""
    if not access.may_see_open_count(user):
        return 0
    return (
        Concern.objects.filter(access.open_count_q(user))
        .exclude(status=Concern.Status.CLOSED)
        .count()
    )
