"""Course and lesson pages are routed from the site cache (lms.site.selectors.routes) and read
what the learner has done from the learner cache (courses.selectors.courses.LearnerCache):
whatever an editor or the learner changes is seen on the very next view, and Wagtail's view
restrictions, unpublishing and moves behave as Wagtail's own routing does. Each test warms the
cache first (three views: the first marks the path as one routed from the cache, the second
stores its entry, the third is served from it)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Page, PageViewRestriction

from courses.models import CoursePage, LessonPage
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.site.models import InformationPage
from lms.site.selectors import routes

from .builders import ALL_RIGHT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]


def _warm(client, url: str, status: int = 200) -> str:
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == status
    return response.content.decode()


def test_a_cached_route_is_served_from_the_cache(client, make_course, make_learner):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    client.force_login(make_learner())
    _warm(client, lesson.url)
    hits = [key for key in routes._HINTS if key[2] == lesson.url.lstrip("/")]
    assert hits, "the lesson's path is marked as routed from the cache"


def test_a_page_of_another_type_is_never_routed_from_the_cache(client, catalogue):
    page = catalogue.get_parent().add_child(
        instance=InformationPage(title="Hjælp", slug="hjaelp", live=True)
    )
    _warm(client, page.url)
    assert not [key for key in routes._HINTS if key[2] == page.url.lstrip("/")]


def test_an_unpublished_lesson_and_course_are_404_on_the_next_view(
    client, make_course, make_learner
):
    course = make_course(lessons=("Et", "To"))
    first, second = selectors.course_lessons(course)
    client.force_login(make_learner())
    _warm(client, first.url)
    _warm(client, course.url)

    first.unpublish()
    assert client.get(first.url).status_code == 404
    assert client.get(second.url).status_code == 200

    CoursePage.objects.get(pk=course.pk).unpublish()
    assert client.get(course.url).status_code == 404
    assert client.get(second.url).status_code == 404


def test_a_new_slug_moves_the_course_and_its_lessons(client, make_course, make_learner):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    client.force_login(make_learner())
    old_course, old_lesson = course.url, lesson.url
    _warm(client, old_course)
    _warm(client, old_lesson)

    course = CoursePage.objects.get(pk=course.pk)
    course.slug = "nyt-navn"
    course.save_revision().publish()

    assert client.get(old_course).status_code == 404
    assert client.get(old_lesson).status_code == 404
    assert client.get(CoursePage.objects.get(pk=course.pk).url).status_code == 200
    assert client.get(LessonPage.objects.get(pk=lesson.pk).url).status_code == 200


def test_a_password_restriction_added_and_removed_counts_at_once(client, catalogue, make_course):
    course = make_course(lessons=("Et",))
    assert "Log ind for at tage kurset." in _warm(client, course.url)

    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=catalogue.pk),
        restriction_type=PageViewRestriction.PASSWORD,
        password="hemmelig",
    )
    response = client.get(course.url)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert "no-cache" in response["Cache-Control"]

    # The password given: the restriction asks the session, as Wagtail's does.
    response = client.post(
        f"/_util/authenticate_with_password/{restriction.pk}/{course.pk}/",
        {"password": "hemmelig", "return_url": course.url},
    )
    assert response.status_code == 302
    html = client.get(course.url).content.decode()
    assert 'name="password"' not in html and course.title in html

    restriction.delete()
    client.logout()
    html = _warm(client, course.url)
    assert 'name="password"' not in html


def test_a_login_restriction_on_the_course_sends_visitors_to_sign_in(client, make_course):
    course = make_course(lessons=("Et",))
    _warm(client, course.url)

    PageViewRestriction.objects.create(
        page=Page.objects.get(pk=course.pk), restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(course.url)
    assert response.status_code == 302
    assert "next=" in response["Location"]


def test_a_group_restriction_asks_the_groups_on_every_view(client, make_course, make_learner):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    user = make_learner()
    client.force_login(user)
    _warm(client, lesson.url)

    group = Group.objects.create(name="Kursister")
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=course.pk), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([group])
    assert client.get(lesson.url).status_code == 302
    assert client.get(lesson.url).status_code == 302

    # A group joined (no page or restriction saved): the next view lets them in.
    user.groups.add(group)
    assert client.get(lesson.url).status_code == 200


def test_lesson_progress_shows_on_the_next_view(client, make_course, make_learner):
    course = make_course(lessons=("Et", "To"))
    first, second = selectors.course_lessons(course)
    user = make_learner()
    client.force_login(user)
    assert "0 af 2 lektioner gennemført" in _warm(client, second.url)
    assert "0 af 2 lektioner gennemført" in _warm(client, course.url)

    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    services.lesson_complete(enrolment=enrolment, lesson=first, by=user)

    assert "1 af 2 lektioner gennemført" in client.get(second.url).content.decode()
    assert "1 af 2 lektioner gennemført" in client.get(course.url).content.decode()
    # Through the view, as a learner does it.
    client.post(reverse("courses:lesson_done", args=[second.pk]))
    html = client.get(course.url).content.decode()
    assert "2 af 2 lektioner gennemført" in html


def test_a_quiz_passed_shows_on_the_course_page(client, make_course, make_learner, competence):
    course = make_course(lessons=("Et",), competence=competence)
    (lesson,) = selectors.course_lessons(course)
    user = make_learner()
    client.force_login(user)
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
    html = _warm(client, course.url)
    assert "Tag quizzen" in html and "Du gennemførte kurset" not in html

    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)

    assert "Du gennemførte kurset" in client.get(course.url).content.decode()


def test_a_learner_moved_out_of_the_audience_gets_404_at_once(
    client, make_course, make_learner, tree
):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    user = make_learner()
    client.force_login(user)
    _warm(client, course.url)
    _warm(client, lesson.url)

    person = user.person
    other = next(unit for unit in tree.values() if not unit.path.startswith(tree["HJ"].path))
    person.org_unit = other
    person.save()

    assert client.get(course.url).status_code == 404
    assert client.get(lesson.url).status_code == 404


def test_an_audience_changed_by_an_editor_counts_at_once(client, make_course, make_learner, tree):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    client.force_login(make_learner())
    _warm(client, course.url)
    _warm(client, lesson.url)

    course = CoursePage.objects.get(pk=course.pk)
    other = next(unit for unit in tree.values() if not unit.path.startswith(tree["HJ"].path))
    course.audience_units.set([other])
    course.save_revision().publish()

    assert client.get(course.url).status_code == 404
    assert client.get(lesson.url).status_code == 404


def test_a_lesson_body_edited_shows_on_the_next_view(client, make_course, make_learner):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    client.force_login(make_learner())
    assert "Et: hvad du skal vide" in _warm(client, lesson.url)

    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = '[{"type": "rich_text", "value": "<p>Helt ny tekst.</p>"}]'
    lesson.save_revision().publish()

    html = client.get(lesson.url).content.decode()
    assert "Helt ny tekst." in html and "Et: hvad du skal vide" not in html


def test_a_draft_leaves_the_live_lesson_as_it_is(client, make_course, make_learner):
    course = make_course(lessons=("Et",))
    (lesson,) = selectors.course_lessons(course)
    client.force_login(make_learner())
    _warm(client, lesson.url)

    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = '[{"type": "rich_text", "value": "<p>Kladde.</p>"}]'
    lesson.save_revision()

    html = client.get(lesson.url).content.decode()
    assert "Kladde." not in html and "Et: hvad du skal vide" in html


def test_a_competence_renamed_shows_on_the_course_page(
    client, make_course, make_learner, competence
):
    course = make_course(lessons=("Et",), competence=competence)
    client.force_login(make_learner())
    assert competence.name in _warm(client, course.url)

    competence.name = "Kender tegnene"
    competence.save()

    assert "Kender tegnene" in client.get(course.url).content.decode()
