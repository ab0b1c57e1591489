"""Min side's required courses (selectors.required_courses, issue 13): the same courses, order,
deadlines and progress as Min læring's (selectors.my_learning), in one query with the audience
from the site cache; and that cache follows the pages, the units and the job categories."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import CoursePage
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.competence.selectors.status import competence_status_for_person
from lms.site.selectors.site import site_cache_version
from tests.factories import JobCategoryFactory, org_unit, requirement

from .builders import ALL_RIGHT

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]

MY_PAGE = "/min-side/"


def _enrol(course, user, lessons_done: int = 0):
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    for lesson in selectors.course_lessons(course)[:lessons_done]:
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
    return enrolment


def _audience_set(course, units) -> None:
    page = CoursePage.objects.get(pk=course.pk)
    page.audience_units.set(list(units))
    page.save_revision().publish()


def _compare(person):
    statuses = competence_status_for_person(person=person)
    learning = selectors.my_learning(person=person, statuses=statuses)
    summary = selectors.required_courses(person=person, statuses=statuses)
    expected = [
        (e.course.pk, e.course.title, e.due_on, e.overdue, e.in_progress, e.percent)
        for e in learning.required
    ]
    got = [(c.pk, c.title, c.due_on, c.overdue, c.in_progress, c.percent) for c in summary.required]
    assert got == expected
    assert summary.in_progress_count == len(learning.in_progress)
    return summary


def test_the_required_courses_are_min_laerings(
    make_course, make_learner, competence, tree, teacher
):
    requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])
    user = make_learner()
    person = user.person
    make_course(title="Påkrævet, ikke begyndt", required=True)
    started = make_course(title="Kompetencen, påbegyndt", competence=competence, lessons="ABC")
    _enrol(started, user, lessons_done=1)
    done = make_course(title="Påkrævet, bestået", required=True)
    enrolment = _enrol(done, user, lessons_done=2)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)
    _enrol(make_course(title="Frivilligt, påbegyndt"), user, lessons_done=1)
    make_course(title="Frivilligt, ikke begyndt")
    # Required and started, then the audience moved away from the learner: still in progress,
    # no longer required of them.
    moved = make_course(title="Påkrævet, flyttet", required=True)
    _enrol(moved, user, lessons_done=1)
    _audience_set(moved, [tree["FR"]])
    # Not for the learner's unit, and one taken offline.
    make_course(title="Påkrævet i FR", required=True, audience_units=[tree["FR"]])
    offline = make_course(title="Påkrævet, afpubliceret", required=True)
    _enrol(offline, user)
    CoursePage.objects.get(pk=offline.pk).unpublish()

    summary = _compare(person)
    assert [c.title for c in summary.required] == [
        "Kompetencen, påbegyndt",
        "Påkrævet, ikke begyndt",
    ]
    assert summary.required[0].in_progress and summary.required[0].percent == 33
    assert summary.in_progress_count == 3


def test_an_empty_start(make_learner):
    summary = _compare(make_learner().person)
    assert summary.required == [] and summary.in_progress_count == 0


def test_the_cached_audience_follows_the_course_pages(client, make_course, make_learner, tree):
    user = make_learner()
    course = make_course(title="Påkrævet for skolen", required=True)
    client.force_login(user)
    assert "Påkrævet for skolen" in client.get(MY_PAGE).content.decode()

    _audience_set(course, [tree["FR"]])
    assert "Påkrævet for skolen" not in client.get(MY_PAGE).content.decode()

    _audience_set(course, [tree["HJ-SKOLE"]])
    html = client.get(MY_PAGE).content.decode()
    assert "Påkrævet for skolen" in html
    assert f'href="{course.url}"' in html
    assert reverse("courses:my_learning") in html


def test_the_cached_audience_follows_the_learner(client, make_course, make_learner, tree, teacher):
    user = make_learner()
    make_course(title="Kun for lærere i FR", required=True, audience_units=[tree["FR"]])
    client.force_login(user)
    assert "Kun for lærere i FR" not in client.get(MY_PAGE).content.decode()

    user.person.org_unit = tree["FR-SKOLE"]
    user.person.save()
    assert "Kun for lærere i FR" in client.get(MY_PAGE).content.decode()


def test_deleting_a_unit_or_a_job_category_moves_the_site_cache_on(tree):
    unit = org_unit(code="HJ-NY", name="HJ Ny", parent=tree["HJ-BFU"])
    for made in (unit, JobCategoryFactory()):
        version = site_cache_version()
        made.delete()
        assert site_cache_version() != version
