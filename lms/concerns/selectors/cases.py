"""Reads of cases for the Infohus (the admin) and for department contacts (a count only)."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.models import ModelLogEntry

from lms.concerns import access
from lms.concerns.models import Concern


def cases_for(user, *, status: str = "") -> QuerySet[Concern]:
    """The cases `user` may read, newest first; `status` "open" or a Status value filters."""
    cases = Concern.objects.filter(access.cases_visible_q(user)).select_related("infohus")
    if status == "open":
        cases = cases.exclude(status=Concern.Status.CLOSED)
    elif status in Concern.Status.values:
        cases = cases.filter(status=status)
    return cases


def case_for(user, pk: int) -> Concern | None:
    return (
        Concern.objects.filter(access.cases_visible_q(user))
        .select_related("infohus", "reporter_unit")
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
