"""The demo courses (courses.demo.courses), loaded by `manage.py load_demo_data`."""

from collections import Counter
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from wagtail.models import Page

from courses.blocks import QuestionBlock
from courses.demo import courses as demo
from courses.models import (
    Completion,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
)
from courses.selectors import courses as selectors
from courses.selectors import quiz as quiz_selectors
from lms.competence.demo.competences import SIGNS
from lms.competence.models import Evidence
from lms.people.demo.people import MUNICIPALITY
from lms.people.models import Person
from lms.site.models import HomePage
from newsletters.models import Delivery
from tests.factories import wagtail_roots_ensure
from tests.mails import is_report_offer

pytestmark = pytest.mark.django_db

KINDS = {QuestionBlock.SINGLE, QuestionBlock.MULTIPLE, QuestionBlock.TRUE_FALSE}


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo loaded once for the module, in a transaction rolled back at the end; the
    on-commit callbacks run as a real commit would, and any mail they would send is kept."""
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            output = load()
        yield output, list(mail.outbox)
        transaction.set_rollback(True)


def catalogue() -> CourseIndexPage:
    return CourseIndexPage.objects.child_of(HomePage.objects.get()).get(slug=demo.INDEX_SLUG)


def main_course() -> CoursePage:
    return CoursePage.objects.child_of(catalogue()).get(slug=demo.MAIN_SLUG)


def refresher() -> CoursePage:
    return CoursePage.objects.child_of(catalogue()).get(slug=demo.REFRESHER_SLUG)


def employee() -> Person:
    return Person.objects.get(email=demo.EMPLOYEE_EMAIL)


def counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Page,
            Enrolment,
            LessonProgress,
            QuizAttempt,
            Completion,
            Evidence,
        )
    }


def assert_valid_course(course: CoursePage, *, lessons: int, min_questions: int) -> None:
    """Live lessons whose bodies validate, and a quiz whose every question is valid (the
    editor's own checks) with feedback on every answer."""
    live_lessons = selectors.course_lessons(course)
    assert len(live_lessons) == lessons
    assert LessonPage.objects.child_of(course).count() == lessons
    for lesson in live_lessons:
        body = lesson.body
        body.stream_block.clean(body)
        assert lesson.has_unpublished_changes is False
        assert lesson.live_revision is not None
    course.quiz.stream_block.clean(course.quiz)
    question_block = course.quiz.stream_block.child_blocks["question"]
    for item in course.quiz:
        question_block.clean(item.value)
    questions = quiz_selectors.quiz_questions(course.live_revision)
    assert len(questions) >= min_questions
    for question in questions.values():
        assert question.text
        assert all(choice.feedback.strip() for choice in question.choices), question.text
    assert {q.kind for q in questions.values()} == KINDS


def test_the_command_reports_the_courses(loaded):
    output, _outbox = loaded
    assert "Courses: catalogue 'Kurser', course " in output
    assert "15 completions" in output


def test_nobody_was_mailed_but_the_demo_newsletter(loaded, db):
    """Courses send no mail: the only mail of the load is the demo newsletter, one message per
    delivery of its ledger (newsletters.demo), and the half-year report's link to the steering group
    (reports.demo)."""
    _output, outbox = loaded
    sent = Delivery.objects.filter(status=Delivery.Status.SENT).values_list("email", flat=True)
    assert Counter(m.to[0] for m in outbox if not is_report_offer(m)) == Counter(sent)


def test_the_catalogue_is_live_under_the_demo_home_page(loaded, db):
    index = catalogue()
    assert index.live and index.title == "Kurser"
    assert index.intro
    assert index.live_revision is not None


def test_the_main_course(loaded, db):
    course = main_course()
    assert course.live and course.title == "Bekymringstegn: radikalisering og ekstremisme"
    assert course.estimated_minutes == 20
    assert course.required
    assert course.pass_mark == 75 and course.attempts_allowed == 3
    assert course.competence.code == SIGNS
    assert [u.code for u in course.audience_units.all()] == [MUNICIPALITY]
    assert not course.job_categories.exists()
    assert_valid_course(course, lessons=4, min_questions=8)
    assert 9 <= len(course.quiz) <= 10


def test_the_lessons_use_callouts_warning_signs_and_an_acute_callout(loaded, db):
    blocks = [block for lesson in selectors.course_lessons(main_course()) for block in lesson.body]
    types = [block.block_type for block in blocks]
    assert "video" not in types and "image" not in types
    assert types.count("warning_sign") >= 5
    assert types.count("rich_text") >= 4
    for block in blocks:
        if block.block_type == "warning_sign":
            assert block.value["may_mean"] and block.value["does_not_mean"]
    acute = [b for b in blocks if b.block_type == "callout" and b.value["tone"] == "acute"]
    assert acute
    assert "112" in acute[0].value["text"].source and "114" in acute[0].value["text"].source
    text = " ".join(
        str(b.value["text"].source if b.block_type == "callout" else b.value)
        for b in blocks
        if b.block_type in ("rich_text", "callout")
    )
    for needle in ("retsplejelovens § 115", "barnets lov", "underret", "41 74 90 90"):
        assert needle.lower() in text.lower()
    assert "aldrig vold" in text


def test_the_refresher(loaded, db):
    course = refresher()
    assert course.live and course.title == "Genopfrisk: bekymringstegn og hvad du gør"
    assert course.estimated_minutes == 8
    assert not course.required
    assert course.competence.code == SIGNS
    assert_valid_course(course, lessons=2, min_questions=5)
    assert len(course.quiz) == 5


def test_about_fifteen_learners_completed_the_main_course_with_evidence(loaded, db):
    course = main_course()
    completions = list(
        Completion.objects.filter(enrolment__course=course).select_related(
            "attempt", "evidence", "enrolment__person"
        )
    )
    assert 12 <= len(completions) <= 18
    people = {c.enrolment.person for c in completions}
    assert len(people) == len(completions)
    assert employee() not in people
    assert Person.objects.get(email="koordinator@demo.infohus.dk") in people
    for completion in completions:
        assert completion.attempt.passed and completion.attempt.score >= course.pass_mark
        assert completion.revision_id == course.live_revision.pk
        evidence = completion.evidence
        assert evidence.person == completion.enrolment.person
        assert evidence.competence.code == SIGNS
        assert evidence.source == Evidence.Source.COURSE
        assert evidence.source_reference == f"course-completion:{completion.pk}"
        assert completion.valid_until == evidence.expires_on
        # Every lesson was done before the quiz.
        assert completion.enrolment.lessons_done.count() == 4
    # Some failed the quiz once first, within the allowed attempts.
    attempts = QuizAttempt.objects.filter(enrolment__course=course)
    failed = attempts.filter(passed=False)
    assert failed.exists()
    assert set(failed.values_list("number", flat=True)) == {1}
    assert not attempts.filter(submitted_at=None).exists()
    assert attempts.filter(passed=True).count() == len(completions)


def test_the_employee_login_has_started_the_main_course(loaded, db):
    enrolment = Enrolment.objects.get(person=employee(), course=main_course())
    first = selectors.course_lessons(main_course())[0]
    assert list(enrolment.lessons_done.values_list("lesson", flat=True)) == [first.pk]
    assert enrolment.last_lesson_id == first.pk
    assert not enrolment.attempts.exists()
    assert not enrolment.completions.exists()
    assert not Enrolment.objects.filter(person=employee(), course=refresher()).exists()


def test_a_second_run_adds_nothing(loaded, db):
    before = counts()
    result = demo.courses_demo_load()
    assert not result.changed
    assert result.enrolments_created == result.completions_created == 0
    assert counts() == before
    assert "Nothing to add" in load()
    assert counts() == before


def test_an_editors_changes_are_kept(loaded, db):
    course = main_course()
    course.title = "Bekymringstegn (redigeret)"
    course.pass_mark = 80
    course.save_revision().publish()
    lesson = selectors.course_lessons(course)[-1]
    lesson.unpublish()
    before = counts()

    result = demo.courses_demo_load()

    assert not result.changed
    course = main_course()
    assert course.title == "Bekymringstegn (redigeret)" and course.pass_mark == 80
    assert not LessonPage.objects.get(pk=lesson.pk).live
    assert counts() == before


def test_a_renamed_catalogue_is_kept_and_no_second_one_is_made(loaded, db):
    index = catalogue()
    index.title, index.slug = "Læring", "laering"
    index.save_revision().publish()
    before = counts()

    result = demo.courses_demo_load()

    assert not result.changed
    assert CourseIndexPage.objects.count() == 1
    assert CoursePage.objects.child_of(index).filter(slug=demo.MAIN_SLUG).exists()
    assert counts() == before


def test_the_pages_render_for_the_employee_login(loaded, db, client):
    client.force_login(employee().user)
    course, index = main_course(), catalogue()

    response = client.get(index.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert course.title in html and refresher().title in html

    response = client.get(course.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert course.title in html
    for lesson in selectors.course_lessons(course):
        assert lesson.title in html

    for lesson in selectors.course_lessons(course):
        response = client.get(lesson.url)
        assert response.status_code == 200
        assert lesson.title in response.content.decode()

    learning = client.get(reverse("courses:my_learning")).content.decode()
    assert course.title in learning


def test_the_catalogue_renders_for_a_visitor(loaded, db, client):
    response = client.get(catalogue().url)
    assert response.status_code == 200
    assert main_course().title in response.content.decode()
