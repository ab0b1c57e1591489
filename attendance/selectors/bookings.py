"""Reads of the booking page (attendance.views.bookings): the colleagues a booker sees, and the job
categories a new colleague may have."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, Subquery

from attendance import access
from attendance.models import Meeting, Registration
from lms.people import policy
from lms.people.models import JobCategory, Person

R = Registration.Status


def booking_staff(*, user, meeting: Meeting, query: str = "") -> list[Person]:
    """The colleagues the booker sees on the page, by unit and name: everyone they may book, and
    anyone of their MEETING_BOOK scope holding a live registration (who may have left or fallen
    out of the audience since, and whose seat they may still cancel). Each with
    `registration_id`, `registration_status`, `bookable` and `waiting_position`. `query` keeps
    those whose name, email, employee number, unit or job category contains it. Two queries for
    any number."""
    live = Registration.objects.filter(
        meeting=meeting, person=OuterRef("pk"), status__in=Registration.LIVE
    )
    bookable = access.bookable_people(user, meeting)
    rows = list(
        policy.people(user, access.Action.MEETING_BOOK)
        .annotate(
            bookable=Exists(bookable.filter(pk=OuterRef("pk"))),
            registration_id=Subquery(live.values("pk")[:1]),
            registration_status=Subquery(live.values("status")[:1]),
        )
        .filter(Q(bookable=True) | Q(registration_id__isnull=False))
        .filter(_search_q(query))
        .select_related("job_category", "org_unit")
        .order_by("org_unit__name", "org_unit_id", "name", "pk")
    )
    waiting = Registration.objects.filter(meeting=meeting, status=R.WAITING).order_by(
        "created_at", "pk"
    )
    position = {pk: n for n, pk in enumerate(waiting.values_list("person_id", flat=True), 1)}
    for row in rows:
        row.waiting_position = position.get(row.pk)
    return rows


def _search_q(query: str) -> Q:
    """Every word of `query` in the name, email, employee number, unit or job category."""
    q = Q()
    for word in query.split():
        q &= (
            Q(name__icontains=word)
            | Q(email__icontains=word)
            | Q(employee_number__icontains=word)
            | Q(org_unit__name__icontains=word)
            | Q(job_category__name__icontains=word)
        )
    return q


def new_colleague_job_categories(*, meeting: Meeting) -> list[JobCategory]:
    """The job categories a new colleague may have: the meeting's, or all when it names none."""
    named = list(meeting.job_categories.order_by("name"))
    return named or list(JobCategory.objects.order_by("name"))
