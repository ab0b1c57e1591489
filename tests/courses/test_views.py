"""The learner's pages: what they show, and what they refuse (anonymous, outside the audience,
someone else's attempt)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Completion, Enrolment, LessonProgress, QuizAttempt
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from tests.factories import requirement

from .builders import ALL_RIGHT, ALL_WRONG

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]


def _ready(course, user):
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    for lesson in selectors.course_lessons(course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
    return enrolment


def _answers_post(attempt, answers):
    data = {"attempt": str(attempt.pk)}
    data.update(answers)
    return data


# --- The catalogue ------------------------------------------------------------------------------


def test_catalogue_lists_the_audiences_courses_required_first(
    client, make_course, make_learner, competence, tree, teacher
):
    requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])
    make_course(title="Aaa valgfrit")
    make_course(title="Zzz påkrævet", competence=competence)
    make_course(title="Kun Frederikshavn", audience_units=[tree["FR"]])
    client.force_login(make_learner())
    response = client.get("/kurser/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Zzz påkrævet") < html.index("Aaa valgfrit")
    assert "Kun Frederikshavn" not in html
    assert "Due now" in html or "Skal tages nu" in html


def test_anonymous_visitors_see_the_public_catalogue_and_course_summary(client, make_course):
    course = make_course(title="Bekymringstegn")
    response = client.get("/kurser/")
    assert response.status_code == 200
    assert "Bekymringstegn" in response.content.decode()
    response = client.get(course.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert course.summary in html
    assert reverse("courses:course_start", args=(course.pk,)) not in html
    assert reverse("account_login") in html


def test_anonymous_visitors_must_sign_in_to_enrol_read_lessons_or_take_the_quiz(
    client, make_course
):
    course = make_course()
    lesson = selectors.course_lessons(course)[0]
    login = reverse("account_login")
    for method, url in [
        ("post", reverse("courses:course_start", args=(course.pk,))),
        ("post", reverse("courses:lesson_done", args=(lesson.pk,))),
        ("get", reverse("courses:quiz", args=(course.pk,))),
        ("post", reverse("courses:quiz_start", args=(course.pk,))),
        ("get", reverse("courses:my_learning")),
        ("get", lesson.url),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    assert not Enrolment.objects.exists()


def test_an_employee_outside_the_audience_gets_404(client, make_course, make_learner):
    course = make_course()  # for HJ
    lesson = selectors.course_lessons(course)[0]
    client.force_login(make_learner("FR-SKOLE"))
    for method, url in [
        ("get", course.url),
        ("get", lesson.url),
        ("post", reverse("courses:course_start", args=(course.pk,))),
        ("post", reverse("courses:lesson_done", args=(lesson.pk,))),
        ("get", reverse("courses:quiz", args=(course.pk,))),
        ("post", reverse("courses:quiz_start", args=(course.pk,))),
    ]:
        assert getattr(client, method)(url).status_code == 404, url
    assert not Enrolment.objects.exists()


# --- Course, lessons, resume --------------------------------------------------------------------


def test_start_enrols_and_resume_goes_where_they_left(client, make_course, make_learner):
    course, user = make_course(lessons=("Et", "To", "Tre")), make_learner()
    first, second, third = selectors.course_lessons(course)
    client.force_login(user)
    response = client.get(course.url)
    assert "Start the course" in response.content.decode() or "Start kurset" in (
        response.content.decode()
    )
    response = client.post(reverse("courses:course_start", args=(course.pk,)))
    assert response.status_code == 302 and response["Location"] == first.url
    assert Enrolment.objects.filter(person=user.person, course=course).exists()

    response = client.get(first.url)
    assert response.status_code == 200
    assert reverse("courses:lesson_done", args=(first.pk,)) in response.content.decode()
    response = client.post(reverse("courses:lesson_done", args=(first.pk,)))
    assert response["Location"] == second.url

    # Come back later: "Resume" goes on with the second lesson.
    response = client.post(reverse("courses:course_start", args=(course.pk,)))
    assert response["Location"] == second.url
    client.post(reverse("courses:lesson_done", args=(second.pk,)))
    response = client.post(reverse("courses:lesson_done", args=(third.pk,)))
    assert response["Location"] == course.url
    assert LessonProgress.objects.count() == 3
    response = client.get(course.url)
    assert reverse("courses:quiz_start", args=(course.pk,)) in response.content.decode()
    # Everything done: starting again goes to the quiz.
    response = client.post(reverse("courses:course_start", args=(course.pk,)))
    assert response["Location"] == reverse("courses:quiz", args=(course.pk,))


def test_lesson_page_renders_its_blocks_and_navigation(client, make_course, make_learner):
    course = make_course(lessons=("Et", "To"))
    first, second = selectors.course_lessons(course)
    client.force_login(make_learner())
    html = client.get(second.url).content.decode()
    assert "Trækker sig fra venner og fællesskaber" in html  # the warning sign block
    assert "callout callout--important" in html  # lms.site's callout template
    assert f'href="{first.url}"' in html
    assert 'rel="next"' not in html


def test_the_courses_last_lesson_leads_to_the_concern_intake(client, make_course, make_learner):
    from lms.concerns.links import intake_path

    course = make_course(lessons=("Et", "To"))
    first, last = selectors.course_lessons(course)
    client.force_login(make_learner())

    html = client.get(last.url).content.decode()
    assert "Er du bekymret for en person?" in html
    assert f'href="{intake_path()}"' in html and "Meld en bekymring til Infohuset" in html
    # Only the last lesson: the others lead on through the course.
    assert "lesson-concern" not in client.get(first.url).content.decode()


# --- The quiz -----------------------------------------------------------------------------------


def test_quiz_fail_then_pass(client, make_course, make_learner, competence):
    course = make_course(competence=competence, attempts_allowed=3)
    user = make_learner()
    _ready(course, user)
    client.force_login(user)
    quiz_url = reverse("courses:quiz", args=(course.pk,))
    response = client.post(reverse("courses:quiz_start", args=(course.pk,)))
    assert response["Location"] == quiz_url
    attempt = QuizAttempt.objects.get()
    html = client.get(quiz_url).content.decode()
    assert html.count("<fieldset") == 3 and html.count("<legend") == 3
    assert 'type="checkbox"' in html and 'type="radio"' in html

    # An unanswered question: the form says so and nothing is handed in.
    response = client.post(quiz_url, {"attempt": attempt.pk, "q-first": "a-leader"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.submitted_at is None

    response = client.post(quiz_url, _answers_post(attempt, ALL_WRONG))
    result_url = reverse("courses:attempt_result", args=(attempt.pk,))
    assert response["Location"] == result_url
    html = client.get(result_url).content.decode()
    assert "2 attempts left" in html or "2 forsøg tilbage" in html
    assert "Nej: det skader eleven og sagen." in html  # feedback on the answer chosen
    assert "Rigtigt: lederen kender vejen videre." in html  # and on the right one missed

    client.post(reverse("courses:quiz_start", args=(course.pk,)))
    second = QuizAttempt.objects.get(submitted_at__isnull=True)
    response = client.post(quiz_url, _answers_post(second, ALL_RIGHT))
    html = client.get(response["Location"]).content.decode()
    assert "100" in html
    completion = Completion.objects.get()
    assert completion.attempt_id == second.pk

    # Handing the first tab's form in again shows that attempt's result; nothing changes.
    response = client.post(quiz_url, _answers_post(second, ALL_WRONG))
    assert response["Location"] == reverse("courses:attempt_result", args=(second.pk,))
    assert Completion.objects.count() == 1

    html = client.get(reverse("courses:my_learning")).content.decode()
    assert course.title in html
    assert completion.valid_until.strftime("%Y") in html
    assert reverse("courses:certificate", args=(completion.certificate_code,)) in html


def test_another_persons_attempt_and_result_are_refused(client, make_course, make_learner):
    course, owner, other = make_course(), make_learner(), make_learner()
    enrolment = _ready(course, owner)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=owner)
    client.force_login(other)
    url = reverse("courses:attempt_result", args=(attempt.pk,))
    assert client.get(url).status_code == 404
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=owner)
    assert client.get(url).status_code == 404

    # Posting answers to the owner's attempt changes nothing either.
    _ready(course, other)
    response = client.post(
        reverse("courses:quiz", args=(course.pk,)), _answers_post(attempt, ALL_WRONG)
    )
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.answers == ALL_RIGHT


def test_quiz_before_the_lessons_are_done_says_so(client, make_course, make_learner):
    course, user = make_course(), make_learner()
    services.enrolment_start(course=course, person=user.person, by=user)
    client.force_login(user)
    response = client.post(reverse("courses:quiz_start", args=(course.pk,)))
    assert response.status_code == 302
    assert not QuizAttempt.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Finish every lesson" in html or "Gennemfør alle lektioner" in html


# --- Min læring ---------------------------------------------------------------------------------


def test_my_learning_shows_due_in_progress_and_completed(
    client, make_course, make_learner, competence, tree, teacher
):
    requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])
    due = make_course(title="Påkrævet kursus", competence=competence)
    started = make_course(title="Påbegyndt kursus", lessons=("Et", "To"))
    done = make_course(title="Gennemført kursus")
    user = make_learner()
    enrolment = services.enrolment_start(course=started, person=user.person, by=user)
    services.lesson_complete(
        enrolment=enrolment, lesson=selectors.course_lessons(started)[0], by=user
    )
    attempt = quiz_services.attempt_start(enrolment=_ready(done, user), by=user)
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)

    client.force_login(user)
    response = client.get(reverse("courses:my_learning"))
    assert response.status_code == 200
    learning = response.context["learning"]
    assert [e.course.pk for e in learning.due] == [due.pk]
    assert learning.due[0].due_on == timezone.localdate()
    assert [e.course.pk for e in learning.in_progress] == [started.pk]
    assert learning.in_progress[0].lessons_done == 1
    assert [c.enrolment.course_id for c in learning.completions] == [done.pk]


def test_my_learning_is_only_ever_ones_own(client, make_course, make_learner):
    course, owner, other = make_course(), make_learner(), make_learner()
    services.enrolment_start(course=course, person=owner.person, by=owner)
    client.force_login(other)
    learning = client.get(reverse("courses:my_learning")).context["learning"]
    assert learning.in_progress == [] and learning.completions == []


def test_a_garbled_quiz_post_changes_nothing(client, make_course, make_learner):
    course, user = make_course(), make_learner()
    attempt = quiz_services.attempt_start(enrolment=_ready(course, user), by=user)
    client.force_login(user)
    quiz_url = reverse("courses:quiz", args=(course.pk,))
    for data in ({}, {"attempt": str(attempt.pk), "q-first": "a-nope"}):
        response = client.post(quiz_url, data)
        assert response.status_code in (200, 302)
    # A malformed attempt id is a bad request, never a server error (issue 8).
    for bad in ("x", "²", "٣", "-1", "99999999999999999999"):
        assert client.post(quiz_url, {"attempt": bad}).status_code == 400
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_a_lesson_video_loads_nothing_from_its_provider_until_asked(
    client, make_course, make_learner
):
    """Opening a lesson calls no third party: the provider's player waits, inert in a <template>,
    behind a button; the link to the video and the transcript are there without it."""
    import json
    import re

    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    from courses.models import LessonPage

    url = "https://www.youtube.com/watch?v=abc123"
    player = '<iframe src="https://www.youtube.com/embed/abc123"></iframe>'
    Embed.objects.create(url=url, hash=get_embed_hash(url), type="video", html=player)
    course = make_course(lessons=("Et",))
    lesson = LessonPage.objects.get(pk=selectors.course_lessons(course)[0].pk)
    lesson.body = json.dumps(
        [
            {
                "type": "video",
                "value": {"video": url, "title": "Om tegn", "transcript": "<p>Alt der siges.</p>"},
            }
        ]
    )
    lesson.save_revision().publish()
    client.force_login(make_learner())
    html = client.get(lesson.url).content.decode()
    outside_templates = re.sub(r"<template\b.*?</template>", "", html, flags=re.S)
    assert "youtube.com/embed" not in outside_templates
    assert player in html  # inside the <template>, for the button
    assert "data-video-consent-play" in html
    assert f'<a href="{url}">' in html
    assert "Alt der siges." in html
