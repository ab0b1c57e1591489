"""Who may take which course: the rules of this app, built only from the core policy's primitives.

A course page (CoursePage) is for an audience like a meeting's: audience_units (M2M, each covers
its subtree; none = everyone) and job_categories (M2M, none = every category). Whose certificates
and evidence one may open, and a manager's team, are the competence ledger's
(lms.competence.access). This app declares no actions of its own.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from lms.people import policy
from lms.people.models import OrgUnit, Person


def _course_audience_q(model, person: Person) -> Q:
    """Courses whose audience holds `person`, as Exists subqueries (one query however many)."""
    units = model.audience_units.through.objects.filter(coursepage=OuterRef("pk"))
    categories = model.job_categories.through.objects.filter(coursepage=OuterRef("pk"))
    unit_match = ~Exists(units) | Exists(
        units.filter(orgunit__path__in=OrgUnit.ancestor_paths(person.org_unit.path))
    )
    job_match = ~Exists(categories)
    if person.job_category_id is not None:
        job_match |= Exists(categories.filter(jobcategory_id=person.job_category_id))
    return unit_match & job_match


def courses_for_person(person: Person | None, courses: QuerySet) -> QuerySet:
    """The live courses of `courses` that `person` (an active roster entry) may take."""
    if person is None or not person.active:
        return courses.none()
    return courses.filter(_course_audience_q(courses.model, person), live=True)


def person_unit_ids(person: Person) -> frozenset[int]:
    """The ids of the person's unit and of every unit above it (one query): the units whose
    audience holds them, for audience_holds()."""
    paths = OrgUnit.ancestor_paths(person.org_unit.path)
    return frozenset(OrgUnit.objects.filter(path__in=paths).values_list("pk", flat=True))


def audience_holds(
    person: Person,
    *,
    person_units: frozenset[int],
    unit_ids: frozenset[int],
    category_ids: frozenset[int],
) -> bool:
    """_course_audience_q's rule for a course whose audience is known already (the catalogue's
    cached courses): no units or one of the person's (person_unit_ids()), and no job categories
    or the person's. The person must be active, as in courses_for_person()."""
    if not person.active:
        return False
    if unit_ids and not unit_ids & person_units:
        return False
    return not category_ids or person.job_category_id in category_ids


def person_may_take_course(person: Person | None, course) -> bool:
    """One query: the course is live and `person` is active and in its audience."""
    if person is None or not course.live:
        return False
    return courses_for_person(person, type(course)._default_manager.filter(pk=course.pk)).exists()


def may_take_course(user, course) -> bool:
    """A signed-in user takes a course as their own active roster entry, in its audience."""
    if not getattr(user, "is_active", False):
        return False
    return person_may_take_course(policy.person_of(user), course)


def is_own_enrolment(user, enrolment) -> bool:
    """A learner's progress, attempts and results are theirs alone on the learning pages."""
    own = policy.person_of(user)
    return own is not None and own.pk == enrolment.person_id
