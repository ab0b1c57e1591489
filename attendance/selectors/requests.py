"""Reads of meeting requests: the requester's list, the coordinators' queue, and the audience a
requested meeting would reach.

A request's meeting is for the active people of the requesting unit and the units below it, of the
chosen job categories (every job category when none is chosen): access._meeting_audience_q for a
meeting whose only audience unit is the request's unit.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from attendance import access
from attendance.models import MeetingRequest
from lms.people.models import JobCategory, Person

Status = MeetingRequest.Status


def requests_for(user) -> QuerySet[MeetingRequest]:
    """The requests `user` follows, open ones first, newest first: a fixed number of queries
    however many there are."""
    open_first = Case(
        When(status__in=MeetingRequest.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        access.requests_visible_to(user, MeetingRequest.objects.all())
        .select_related("org_unit", "meeting")
        .order_by(open_first, "-created_at", "-pk")
    )


def queue_for(user, *, status: str = "") -> QuerySet[MeetingRequest]:
    """The requests `user` sees in the queue, open ones first, each group newest first.
    A fixed number of queries however many there are."""
    requests = access.requests_visible_to(user, MeetingRequest.objects.all())
    if status == "open":
        requests = requests.filter(status__in=MeetingRequest.OPEN)
    elif status in Status.values:
        requests = requests.filter(status=status)
    is_open = Case(
        When(status__in=MeetingRequest.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return requests.select_related("org_unit", "meeting").order_by(is_open, "-created_at", "-pk")


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
