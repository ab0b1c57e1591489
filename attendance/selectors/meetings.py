"""Reads of meetings and registrations that views (and later reports) share.

Each read is a fixed number of queries however many meetings and registrations there are: the
person's own registration and waiting-list place come as subquery annotations, not per row.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from attendance import access
from attendance.models import Meeting, Registration
from lms.people import policy
from lms.people.models import JobCategory, Person

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


# --- The audience of a requested meeting ---------------------------------------------------------
# A request's meeting is for the active people of the requesting unit and the units below it, of
# the chosen job categories (every job category when none is chosen): access._meeting_audience_q
# for a meeting whose only audience unit is the request's unit.


def _unit_staff(org_unit) -> QuerySet[Person]:
    return Person.objects.filter(active=True, org_unit__path__startswith=org_unit.path)


def unit_job_categories(*, org_unit, include=()) -> QuerySet[JobCategory]:
    """The job categories the active staff of `org_unit`'s subtree hold, each with its
    `head_count`, by name; `include` adds categories nobody there holds (head count 0). One
    query."""
    staff = Q(people__active=True, people__org_unit__path__startswith=org_unit.path)
    extra = [getattr(c, "pk", c) for c in include]
    return (
        JobCategory.objects.filter(staff | Q(pk__in=extra))
        .annotate(head_count=Count("people", filter=staff, distinct=True))
        .order_by("name", "pk")
        .distinct()
    )


def unit_audience_size(*, org_unit, job_categories=()) -> int:
    """How many active people of `org_unit`'s subtree a meeting for these job categories (every
    one when empty) reaches. One query."""
    people = _unit_staff(org_unit)
    categories = [getattr(c, "pk", c) for c in job_categories]
    if categories:
        people = people.filter(job_category_id__in=categories)
    return people.count()


def unit_job_categories_without_staff(*, org_unit, job_categories) -> list[JobCategory]:
    """Those of `job_categories` that nobody active in `org_unit`'s subtree holds. One query."""
    categories = list(job_categories)
    held = set(
        _unit_staff(org_unit)
        .filter(job_category__in=categories)
        .values_list("job_category_id", flat=True)
    )
    return [c for c in categories if c.pk not in held]
