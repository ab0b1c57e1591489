"""The catalogue, a course page, a lesson page, Min læring and Min side take a fixed number of
queries however many courses, lessons, enrolments and completions there are (2 courses against
12)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services

from .builders import ALL_RIGHT

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]

# Wagtail's routing included; 2 courses and 12 alike. Before the site cache and the home page's
# routing in one query (lms.site): 20, 21 and 17. The site settings, contacts and the
# catalogue's address now come from the cache, and a lesson's path costs 2 queries, not 2 a level
# (18, 15, 14). Since then:
# - the competence status is one query, not three (requirements with the person's best evidence
#   as subqueries; no prefetch of their job categories): -2 on the catalogue and Min læring;
# - the catalogue's and Min læring's enrolments carry their count of live lessons done (no
#   separate read of the progress): -1 each; Min læring reads the person's completions once for
#   the list and for each course's latest: -1;
# - a lesson reads its course and whether the user may take it in one query, and its course's
#   lessons with whether each is done in one (no enrolment, no progress read): -3;
# - a course page reads its lessons with what is done in one query, and the quiz attempts of
#   the enrolment once for the open one, the attempts left and the last one (no second read of
#   the latest completion): 20 before, -4.
# - (issue 13) the live lessons of every course come from the site cache (a page's change gives
#   it a new version): -1 on the catalogue, Min læring and Min side; a lesson reads its course,
#   whether the user may take it and what they have done of it in one query, its lessons from
#   the site cache: -1; a course page reads whether the user may take it, its competence and the
#   enrolment in one query, and its catalogue's address from the site cache: -2; it reads the
#   latest completion and the quiz attempts only when there are any (the learner here has taken
#   no quiz yet): -2; Min læring's links to the courses come from the site cache (no read of the
#   site for {% pageurl %}): -1.
# - (issue 13) the catalogue's live courses with their audiences come from the site cache (one
#   query for the person's units instead of the courses with their audience subqueries: the
#   same count), and each enrolment's latest completion comes with the enrolments: -1.
# Min side, with a requirement and courses (its sections: meetings, required courses, competence
# status, team, concerns): the competence status is read once for both sections that show it.
# - (issue 13) the user's roster entry and whether they hold a role come with the user
#   (policy.users_for_request): -2 on every page; the site comes from the header's site cache,
#   handed to Wagtail: -1 more on Min side.
# - (issue 13) a course page and a lesson are routed from the site cache: the site, the home
#   page, the pages along the path, the page and its view restrictions come with one cache
#   entry (lms.site.selectors.routes): -6 each; what the learner may take and has done of the
#   course comes from the learner cache (courses.selectors.courses.LearnerCache, a new
#   version whenever their progress changes): -1 on a lesson, -2 on the course page. Left: the
#   session and the user.
# - (issue 13) the catalogue is routed from the site cache as the course pages are (lms.site.
#   models.SiteCachedRouteMixin): -6.
CATALOGUE_QUERIES = 5
LESSON_QUERIES = 2
MY_LEARNING_QUERIES = 6
COURSE_QUERIES = 2
# Min side: 10 (22 before: the status read twice at three queries each, -5; the progress, -1;
# the completions read twice, -1; the meetings section's two counts in one aggregate, -1; the
# lessons from the site cache, -1; the roster entry and the roles with the user, -2; the site
# from the site cache, -1). (issue 13, again) The required courses in one query, not three (the
# person's enrolments with their lessons done and latest completion; the courses of their
# audience from the site cache): -2; the upcoming meetings and both counts in one query (window
# counts): -1.
MY_PAGE_QUERIES = 7


def _grow(make_course, user, count: int, *, start: int = 0) -> None:
    """`count` more courses, each enrolled, half of them completed."""
    for n in range(start, start + count):
        course = make_course(title=f"Kursus {n:02d}", lessons=("Et", "To"))
        enrolment = services.enrolment_start(course=course, person=user.person, by=user)
        for lesson in selectors.course_lessons(course):
            services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
        if n % 2 == 0:
            attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
            quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)


@pytest.mark.parametrize(
    ("name", "budget"),
    [
        ("catalogue", CATALOGUE_QUERIES),
        ("lesson", LESSON_QUERIES),
        ("my", MY_LEARNING_QUERIES),
        ("course", COURSE_QUERIES),
        ("my_page", MY_PAGE_QUERIES),
    ],
)
def test_query_count_does_not_grow(
    name,
    budget,
    client,
    assert_queries,
    make_course,
    make_learner,
    competence,
    tree,
    teacher,
):
    from tests.factories import requirement

    requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])
    user = make_learner()
    lesson_course = make_course(title="Lektioner", competence=competence, lessons=("A", "B"))
    services.enrolment_start(course=lesson_course, person=user.person, by=user)
    lesson = selectors.course_lessons(lesson_course)[1]
    url = {
        "catalogue": "/kurser/",
        "lesson": lesson.url,
        "my": reverse("courses:my_learning"),
        "course": lesson_course.url,
        "my_page": "/min-side/",
    }[name]
    client.force_login(user)
    _grow(make_course, user, 2)
    assert assert_queries(budget, lambda: client.get(url)).status_code == 200
    # Creating pages can drop one of Wagtail's per-process caches: assert_queries warms it again,
    # since what must not grow is the steady count of a page view.
    _grow(make_course, user, 10, start=2)
    assert assert_queries(budget, lambda: client.get(url)).status_code == 200
