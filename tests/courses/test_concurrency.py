"""A quiz handed in from two tabs at once is scored once: the row locks of attempt_submit, with
real threads and one database connection each (PostgreSQL; SQLite serialises its writers with
IMMEDIATE transactions anyway)."""

from __future__ import annotations

import pytest
from django.db import connection
from wagtail.models import ModelLogEntry

from courses.models import Completion, QuizAttempt
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.competence.models import Evidence
from lms.people.models import OrgUnit
from tests.attendance.test_concurrency import run_threads
from tests.factories import CompetenceFactory, JobCategoryFactory, org_unit, wagtail_roots_ensure

from .builders import ALL_RIGHT, ALL_WRONG, catalogue_make, course_make, learner_make

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_eight_tabs_hand_in_the_same_attempt_and_it_is_scored_once():
    wagtail_roots_ensure()
    root = org_unit(code="C", name="Concurrency Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    competence = CompetenceFactory(code="RACE")
    course = course_make(catalogue_make(), competence=competence, audience_units=[root])
    user = learner_make(root, job_category=JobCategoryFactory(code="T"))
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    for lesson in selectors.course_lessons(course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)

    def submit(answers):
        stale = QuizAttempt.objects.select_related("enrolment").get(pk=attempt.pk)
        return quiz_services.attempt_submit(attempt=stale, answers=answers, by=user)

    results, errors = run_threads(submit, [ALL_RIGHT, ALL_WRONG] * 4)
    assert errors == []
    scored = QuizAttempt.objects.get(pk=attempt.pk)
    # Whichever tab won, every tab got the same scored attempt back.
    assert {(r.score, r.passed) for r in results} == {(scored.score, scored.passed)}
    assert ModelLogEntry.objects.filter(action="lms.course.attempt_submit").count() == 1
    assert Completion.objects.count() == (1 if scored.passed else 0)
    assert Evidence.objects.count() == (1 if scored.passed else 0)
