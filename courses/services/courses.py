"""Every change to a learner's way through a course: enrolment and lessons done (quiz attempts:
services.quiz; completions and certificates: services.certificates).

Each function is keyword-only and typed; `by` is the acting user (None: the system). A learner
acts only for their own roster entry, in a live course of their audience (lms.people.policy).
The competence ledger is written through lms.competence.services.evidence.evidence_record only,
with a stable source reference, so a completion is recorded as evidence exactly once.

Each takes an optional `now` (lms.clock: the current time by default, never later), the moment
the learner acted: the demo loader dates the courses people took weeks ago through these services.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from courses import access
from courses.models import CoursePage, Enrolment, LessonPage, LessonProgress
from lms import audit, clock
from lms.people import policy
from lms.people.models import Person, User

__all__ = ["enrolment_lock", "enrolment_start", "learner_require", "lesson_complete", "refusal"]


def refusal(message: str) -> ValidationError:
    return ValidationError(message, code="permission_denied")


def learner_require(*, course: CoursePage, person: Person, by: User | None) -> None:
    """A learner acts for themselves only; whoever acts, the person must be in the audience of
    the live course."""
    if by is not None:
        own = policy.person_of(by)
        if own is None or own.pk != person.pk or not getattr(by, "is_active", False):
            raise refusal(_("You can only take courses for yourself."))
    if not access.person_may_take_course(person, course):
        raise refusal(_("This course is not open to you."))


def enrolment_lock(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course", "person__org_unit")
        .get(pk=enrolment.pk)
    )


def enrolment_start(
    *, course: CoursePage, person: Person, by: User | None, now: dt.datetime | None = None
) -> Enrolment:
    """Enrol `person` in `course`. Idempotent: an existing enrolment is returned unchanged."""
    now = clock.as_of(now)
    learner_require(course=course, person=person, by=by)
    with transaction.atomic():
        existing = Enrolment.objects.filter(person=person, course=course).first()
        if existing is not None:
            return existing
        try:
            # A savepoint: a second tab enrolling at the same moment loses on the constraint.
            with transaction.atomic():
                enrolment = Enrolment.objects.create(person=person, course=course, started_at=now)
        except IntegrityError:
            return Enrolment.objects.get(person=person, course=course)
        audit.log(
            enrolment,
            "lms.course.enrol",
            by=by,
            data={"course_id": course.pk, "person_id": person.pk},
        )
    return enrolment


def lesson_complete(
    *,
    enrolment: Enrolment,
    lesson: LessonPage,
    by: User | None,
    now: dt.datetime | None = None,
) -> LessonProgress:
    """Mark a lesson done and remember it as the place to resume. Idempotent."""
    now = clock.as_of(now)
    course = enrolment.course
    learner_require(course=course, person=enrolment.person, by=by)
    if not (
        lesson.live and lesson.depth == course.depth + 1 and lesson.path.startswith(course.path)
    ):
        raise ValidationError(_("This lesson is not part of the course."), code="not_in_course")
    with transaction.atomic():
        enrolment = enrolment_lock(enrolment)
        progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
        if progress is None:
            progress = LessonProgress.objects.create(
                enrolment=enrolment, lesson=lesson, completed_at=now
            )
            audit.log(
                enrolment,
                "lms.course.lesson_complete",
                by=by,
                data={"course_id": course.pk, "lesson_id": lesson.pk},
            )
        if enrolment.last_lesson_id != lesson.pk:
            enrolment.last_lesson = lesson
            enrolment.save(update_fields=["last_lesson"])
    return progress
