"""Reads of meetings and registrations that views (and later reports) share.

Each read is a fixed number of queries however many meetings and registrations there are: the
person's own registration and waiting-list place come as subquery annotations, not per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.lookups import IsNull
from django.utils import timezone

from attendance import access
from attendance.models import Meeting, Registration
from lms.people import policy
from lms.people.models import Person

R = Registration.Status


def _with_own_registration(meetings: QuerySet[Meeting], person: Person | None) -> QuerySet:
    """Annotate own_registration_id / own_status for `person` (None when not signed up)."""
    if person is None:
        return meetings
    own = Registration.objects.filter(
        meeting=OuterRef("pk"), person=person, status__in=Registration.LIVE
    )
    return meetings.annotate(
        own_registration_id=Subquery(own.values("pk")[:1]),
        own_status=Subquery(own.values("status")[:1]),
    )


def meetings_upcoming_for(*, user) -> QuerySet[Meeting]:
    """Published meetings that have not started, that `user` may see, soonest first."""
    meetings = Meeting.objects.filter(status=Meeting.Status.PUBLISHED, starts_at__gt=timezone.now())
    meetings = access.meetings_visible_to(user, meetings)
    meetings = _with_own_registration(meetings, policy.person_of(user))
    return meetings.select_related("org_unit", "institution").order_by("starts_at", "pk")


def meeting_for_user(*, user, pk: int) -> Meeting | None:
    """One meeting `user` may see (drafts only for its managers), or None."""
    meetings = access.meetings_visible_to(user, Meeting.objects.filter(pk=pk))
    meetings = _with_own_registration(meetings, policy.person_of(user))
    return meetings.select_related("org_unit", "institution").first()


def waiting_position(*, registration: Registration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.status != R.WAITING:
        return None
    ahead = Registration.objects.filter(
        Q(created_at__lt=registration.created_at)
        | Q(created_at=registration.created_at, pk__lt=registration.pk),
        meeting_id=registration.meeting_id,
        status=R.WAITING,
    ).count()
    return ahead + 1


def registration_for(*, meeting: Meeting, person: Person | None) -> Registration | None:
    if person is None:
        return None
    return (
        Registration.objects.filter(meeting=meeting, person=person, status__in=Registration.LIVE)
        .select_related("meeting")
        .first()
    )


def registrations_of_meeting(*, meeting: Meeting) -> QuerySet[Registration]:
    """Every registration of a meeting with its person, live ones first, in sign-up order."""
    return (
        Registration.objects.filter(meeting=meeting)
        .select_related("person", "person__org_unit", "person__job_category")
        .order_by(
            Case(
                When(status=R.CONFIRMED, then=Value(0)),
                When(status=R.WAITING, then=Value(1)),
                default=Value(2),
            ),
            "created_at",
            "pk",
        )
    )


def registration_counts(*, meeting: Meeting) -> dict[str, int]:
    counts = Registration.objects.filter(meeting=meeting).aggregate(
        confirmed=Count("pk", filter=Q(status=R.CONFIRMED), output_field=IntegerField()),
        waiting=Count("pk", filter=Q(status=R.WAITING), output_field=IntegerField()),
        cancelled=Count("pk", filter=Q(status=R.CANCELLED), output_field=IntegerField()),
    )
    return counts


@dataclass(frozen=True)
class UpcomingSummary:
    """What a start page says of a person's upcoming meetings."""

    # The first of the meetings they are signed up for (confirmed or waiting), soonest first:
    # (id, title, starts_at, own registration's status) each.
    mine: list[tuple[int, str, dt.datetime, str]]
    mine_count: int
    # The upcoming meetings they may see and are not signed up for.
    open_count: int


def meetings_upcoming_summary(*, user, shown: int) -> UpcomingSummary:
    """meetings_upcoming_for(user=user): the first `shown` that the user's own roster entry is
    signed up for, and how many there are of those and of the others, in one query (the counts
    are window counts over every upcoming meeting the user may see, the rows the first of them,
    the user's own first)."""
    person = policy.person_of(user)
    meetings = Meeting.objects.filter(status=Meeting.Status.PUBLISHED, starts_at__gt=timezone.now())
    meetings = access.meetings_visible_to(user, meetings)
    if person is None:
        meetings = meetings.annotate(own_status=Value(None, output_field=CharField()))
    else:
        own = Registration.objects.filter(
            meeting=OuterRef("pk"), person=person, status__in=Registration.LIVE
        )
        meetings = meetings.annotate(own_status=Subquery(own.values("status")[:1]))
    rows = list(
        meetings.annotate(total=Window(Count("pk")), mine=Window(Count("own_status")))
        .order_by(IsNull(F("own_status"), True), "starts_at", "pk")
        .values_list("pk", "title", "starts_at", "own_status", "total", "mine")[:shown]
    )
    if not rows:
        return UpcomingSummary(mine=[], mine_count=0, open_count=0)
    total, mine = rows[0][4], rows[0][5]
    return UpcomingSummary(
        mine=[row[:4] for row in rows if row[3] is not None],
        mine_count=mine,
        open_count=total - mine,
    )
