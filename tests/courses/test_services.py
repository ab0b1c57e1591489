"""courses.services.courses: enrolment, lessons, attempts, scoring, completion and evidence."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from courses.lib import quiz
from courses.models import Completion, CoursePage, Enrolment, LessonProgress, QuizAttempt
from courses.selectors import courses as selectors
from courses.selectors import quiz as quiz_selectors
from courses.services import certificates as certificate_services
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.competence.models import Evidence
from tests.factories import requirement

from .builders import ALL_RIGHT, ALL_WRONG, QUESTIONS, quiz_raw

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]


@contextlib.contextmanager
def raises_code(code: str):
    """The refusal by its code: the messages are in the active language (Danish)."""
    with pytest.raises(ValidationError) as error:
        yield error
    assert error.value.code == code, error.value


def _enrol(course, user):
    return services.enrolment_start(course=course, person=user.person, by=user)


def _all_lessons(enrolment, user):
    for lesson in selectors.course_lessons(enrolment.course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)


def _ready(course, user):
    enrolment = _enrol(course, user)
    _all_lessons(enrolment, user)
    return enrolment


def _attempt(enrolment, user, answers):
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    return quiz_services.attempt_submit(attempt=attempt, answers=answers, by=user)


# --- Enrolment and progress ---------------------------------------------------------------------


def test_enrolment_start_is_idempotent_and_logged(make_course, make_learner):
    course, user = make_course(), make_learner()
    first = _enrol(course, user)
    again = _enrol(course, user)
    assert first.pk == again.pk
    assert Enrolment.objects.count() == 1
    log = ModelLogEntry.objects.filter(action="lms.course.enrol")
    assert log.count() == 1
    assert log.get().data == {"course_id": course.pk, "person_id": user.person.pk}


def test_an_employee_outside_the_audience_cannot_enrol(make_course, make_learner):
    course = make_course()  # audience: the HJ municipality
    outsider = make_learner("FR-SKOLE")
    with raises_code("permission_denied"):
        _enrol(course, outsider)
    assert not Enrolment.objects.exists()


def test_job_categories_narrow_the_audience(make_course, make_learner, teacher):
    from tests.factories import JobCategoryFactory

    pedagogue = JobCategoryFactory(code="PED", name="Pædagog")
    course = make_course(job_categories=[pedagogue])
    with pytest.raises(ValidationError):
        _enrol(course, make_learner())  # a teacher
    assert _enrol(course, make_learner(job_category=pedagogue)).pk


def test_an_empty_audience_is_everyone(make_course, make_learner):
    course = make_course(audience_units=[])
    assert _enrol(course, make_learner("FR-SKOLE")).pk


def test_nobody_enrols_someone_else(make_course, make_learner):
    course, user, other = make_course(), make_learner(), make_learner()
    with raises_code("permission_denied"):
        services.enrolment_start(course=course, person=other.person, by=user)
    assert not Enrolment.objects.exists()


def test_a_course_that_is_not_live_cannot_be_taken(make_course, make_learner):
    course, user = make_course(), make_learner()
    course.unpublish()
    with pytest.raises(ValidationError):
        _enrol(CoursePage.objects.get(pk=course.pk), user)


def test_lesson_complete_records_progress_once_and_moves_the_resume_point(
    make_course, make_learner
):
    course, user = make_course(lessons=("Et", "To", "Tre")), make_learner()
    enrolment = _enrol(course, user)
    first, second, third = selectors.course_lessons(course)
    services.lesson_complete(enrolment=enrolment, lesson=first, by=user)
    services.lesson_complete(enrolment=enrolment, lesson=first, by=user)
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1
    enrolment.refresh_from_db()
    assert enrolment.last_lesson_id == first.pk

    # They read ahead: the third is done, so resuming goes on to the second.
    services.lesson_complete(enrolment=enrolment, lesson=third, by=user)
    enrolment.refresh_from_db()
    done = selectors.lessons_done_ids(enrolment=enrolment)
    lessons = [first, second, third]
    assert (
        selectors.resume_lesson(
            lessons=lessons, done_ids=done, last_lesson_id=enrolment.last_lesson_id
        )
        == second
    )
    services.lesson_complete(enrolment=enrolment, lesson=second, by=user)
    assert (
        selectors.resume_lesson(
            lessons=lessons,
            done_ids=selectors.lessons_done_ids(enrolment=enrolment),
            last_lesson_id=second.pk,
        )
        is None
    )
    assert ModelLogEntry.objects.filter(action="lms.course.lesson_complete").count() == 3


def test_a_lesson_of_another_course_is_refused(make_course, make_learner):
    course, other = make_course(), make_course(title="Andet kursus")
    user = make_learner()
    enrolment = _enrol(course, user)
    with raises_code("not_in_course"):
        services.lesson_complete(
            enrolment=enrolment, lesson=selectors.course_lessons(other)[0], by=user
        )
    assert not LessonProgress.objects.exists()


def test_another_person_cannot_mark_my_lessons(make_course, make_learner):
    course, user, other = make_course(), make_learner(), make_learner()
    enrolment = _enrol(course, user)
    with pytest.raises(ValidationError):
        services.lesson_complete(
            enrolment=enrolment, lesson=selectors.course_lessons(course)[0], by=other
        )
    assert not LessonProgress.objects.exists()


# --- Starting attempts --------------------------------------------------------------------------


def test_the_quiz_waits_for_every_lesson(make_course, make_learner):
    course, user = make_course(), make_learner()
    enrolment = _enrol(course, user)
    services.lesson_complete(
        enrolment=enrolment, lesson=selectors.course_lessons(course)[0], by=user
    )
    with raises_code("lessons_unfinished"):
        quiz_services.attempt_start(enrolment=enrolment, by=user)
    assert not QuizAttempt.objects.exists()


def test_attempt_start_shuffles_into_the_layout_and_returns_the_open_attempt(
    make_course, make_learner
):
    course, user = make_course(), make_learner()
    enrolment = _ready(course, user)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user, rng=random.Random(3))
    assert attempt.number == 1
    assert attempt.revision_id == CoursePage.objects.get(pk=course.pk).live_revision_id
    assert {row["question"] for row in attempt.layout} == {q[0] for q in QUESTIONS}
    for row in attempt.layout:
        choices = next(q[3] for q in QUESTIONS if q[0] == row["question"])
        assert sorted(row["choices"]) == sorted(c[0] for c in choices)
        if row["question"] == "q-always":
            # True/false keeps the editor's order.
            assert row["choices"] == ["a-true", "a-false"]
    assert quiz_services.attempt_start(enrolment=enrolment, by=user).pk == attempt.pk
    assert QuizAttempt.objects.count() == 1

    # Different seeds give different orders (the questions are shuffled per attempt).
    orders = {
        tuple(
            row["question"]
            for row in quiz_services._layout(
                quiz_selectors.quiz_questions(attempt.revision), random.Random(seed)
            )
        )
        for seed in range(20)
    }
    assert len(orders) > 1


def test_a_course_without_questions_has_no_quiz(make_course, make_learner):
    course, user = make_course(questions=[]), make_learner()
    with raises_code("no_quiz"):
        quiz_services.attempt_start(enrolment=_ready(course, user), by=user)


# --- Scoring ------------------------------------------------------------------------------------


def _question(qid):
    revision_questions = {q[0]: q for q in QUESTIONS}
    qid, kind, text, choices = revision_questions[qid]
    return quiz.Question(
        id=qid,
        kind=kind,
        text=text,
        choices=tuple(quiz.Choice(c[0], c[1], c[2], c[3]) for c in choices),
    )


@pytest.mark.parametrize(
    ("qid", "chosen", "credit"),
    [
        ("q-first", {"a-leader"}, Fraction(1)),
        ("q-first", {"a-press"}, Fraction(0)),
        ("q-first", set(), Fraction(0)),
        ("q-always", {"a-false"}, Fraction(1)),
        ("q-always", {"a-true"}, Fraction(0)),
        # Multiple choice: (right chosen - wrong chosen) / right answers, never below 0.
        ("q-signs", {"a-isolation", "a-hate"}, Fraction(1)),
        ("q-signs", {"a-isolation"}, Fraction(1, 2)),
        ("q-signs", {"a-isolation", "a-hate", "a-football"}, Fraction(1, 2)),
        ("q-signs", {"a-isolation", "a-football"}, Fraction(0)),
        ("q-signs", {"a-football"}, Fraction(0)),
        ("q-signs", set(), Fraction(0)),
    ],
)
def test_question_credit(qid, chosen, credit):
    assert quiz_services.question_credit(_question(qid), chosen) == credit


def test_submit_scores_partial_multiple_choice_and_fails_below_the_pass_mark(
    make_course, make_learner, competence
):
    course, user = make_course(competence=competence, pass_mark=80), make_learner()
    enrolment = _ready(course, user)
    answers = {**ALL_RIGHT, "q-signs": ["a-isolation"]}  # 1 + 1 + 1/2 of 3
    attempt = _attempt(enrolment, user, answers)
    assert attempt.score == Decimal("83.33")
    assert attempt.passed is True
    assert attempt.answers == answers

    other = make_learner()
    attempt = _attempt(_ready(course, other), other, {**ALL_RIGHT, "q-first": ["a-wait"]})
    assert attempt.score == Decimal("66.67")
    assert attempt.passed is False
    assert not Completion.objects.filter(enrolment__person=other.person).exists()


def test_nothing_chosen_scores_zero(make_course, make_learner):
    course, user = make_course(), make_learner()
    attempt = _attempt(_ready(course, user), user, {})
    assert attempt.score == Decimal("0.00")
    assert attempt.passed is False
    assert attempt.answers == {"q-first": [], "q-always": [], "q-signs": []}


@pytest.mark.parametrize(
    "answers",
    [
        {"q-unknown": ["a-leader"]},  # a question that is not in the quiz
        {"q-first": ["a-hate"]},  # another question's answer
        {"q-first": ["a-nope"]},  # an unknown answer
        {"q-first": "a-leader"},  # not a list
        {"q-first": [7]},
        ["q-first"],
    ],
)
def test_unknown_ids_are_refused_and_nothing_changes(make_course, make_learner, answers):
    course, user = make_course(), make_learner()
    attempt = quiz_services.attempt_start(enrolment=_ready(course, user), by=user)
    with raises_code("invalid_answers"):
        quiz_services.attempt_submit(attempt=attempt, answers=answers, by=user)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and attempt.score is None and attempt.answers == {}


def test_two_answers_to_a_single_choice_question_are_refused(make_course, make_learner):
    course, user = make_course(), make_learner()
    attempt = quiz_services.attempt_start(enrolment=_ready(course, user), by=user)
    with raises_code("one_answer_only"):
        quiz_services.attempt_submit(
            attempt=attempt, answers={"q-first": ["a-leader", "a-press"]}, by=user
        )
    assert QuizAttempt.objects.get().submitted_at is None


def test_answers_of_another_revisions_question_set_are_refused(make_course, make_learner):
    """The course gains a question after the attempt started: answering the new question is
    refused, and the attempt is scored against its own revision's three questions."""
    course, user = make_course(), make_learner()
    attempt = quiz_services.attempt_start(enrolment=_ready(course, user), by=user)
    page = CoursePage.objects.get(pk=course.pk)
    extra = ("q-new", "single", "Ny?", [("n-yes", "Ja", True, ""), ("n-no", "Nej", False, "")])
    page.quiz = quiz_raw([*QUESTIONS, extra])
    page.pass_mark = 100
    page.save_revision().publish()
    with raises_code("invalid_answers"):
        quiz_services.attempt_submit(
            attempt=attempt, answers={**ALL_RIGHT, "q-new": ["n-yes"]}, by=user
        )
    attempt = quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)
    assert attempt.score == Decimal("100.00")


def test_a_course_edited_after_the_attempt_started_scores_against_the_attempts_revision(
    make_course, make_learner, competence
):
    course, user = make_course(competence=competence), make_learner()
    enrolment = _ready(course, user)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    started_on = attempt.revision_id

    # The editor flips which answer is right and raises the pass mark.
    page = CoursePage.objects.get(pk=course.pk)
    edited = json.loads(quiz_raw())
    for choice in edited[0]["value"]["choices"]:
        choice["value"]["correct"] = choice["id"] == "a-press"
    page.quiz = json.dumps(edited)
    page.pass_mark = 100
    page.save_revision().publish()
    assert CoursePage.objects.get(pk=course.pk).live_revision_id != started_on

    answers = {**ALL_RIGHT, "q-signs": ["a-isolation"]}
    attempt = quiz_services.attempt_submit(attempt=attempt, answers=answers, by=user)
    assert attempt.score == Decimal("83.33")
    assert attempt.passed is True  # the attempt's pass mark was 80
    completion = Completion.objects.get()
    assert completion.revision_id == started_on


# --- Attempts limit, double submit, completion and evidence -------------------------------------


def test_limited_attempts_count_down_and_run_out(make_course, make_learner):
    course, user = make_course(attempts_allowed=2), make_learner()
    enrolment = _ready(course, user)
    assert quiz_services.attempts_remaining(enrolment=enrolment) == 2
    quiz_services.attempt_start(enrolment=enrolment, by=user)
    assert quiz_services.attempts_remaining(enrolment=enrolment) == 2  # open, not used yet
    _attempt(enrolment, user, ALL_WRONG)
    assert quiz_services.attempts_remaining(enrolment=enrolment) == 1
    _attempt(enrolment, user, ALL_WRONG)
    assert quiz_services.attempts_remaining(enrolment=enrolment) == 0
    with raises_code("attempts_used"):
        quiz_services.attempt_start(enrolment=enrolment, by=user)
    assert QuizAttempt.objects.count() == 2


def test_unlimited_attempts(make_course, make_learner):
    course, user = make_course(attempts_allowed=None), make_learner()
    enrolment = _ready(course, user)
    for _ in range(4):
        _attempt(enrolment, user, ALL_WRONG)
    assert quiz_services.attempts_remaining(enrolment=enrolment) is None
    assert _attempt(enrolment, user, ALL_RIGHT).number == 5


def test_double_submit_scores_once(make_course, make_learner, competence):
    course, user = make_course(competence=competence), make_learner()
    attempt = quiz_services.attempt_start(enrolment=_ready(course, user), by=user)
    first = quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)
    # The second tab still holds the open attempt object and other answers.
    second = quiz_services.attempt_submit(attempt=attempt, answers=ALL_WRONG, by=user)
    assert second.pk == first.pk and second.score == Decimal("100.00")
    assert second.answers == ALL_RIGHT
    assert Completion.objects.count() == 1
    assert Evidence.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="lms.course.attempt_submit").count() == 1


def test_passing_creates_the_completion_and_records_evidence_once(
    make_course, make_learner, competence
):
    course, user = make_course(competence=competence), make_learner()
    enrolment = _ready(course, user)
    _attempt(enrolment, user, ALL_WRONG)
    attempt = _attempt(enrolment, user, ALL_RIGHT)
    today = timezone.localdate()

    completion = Completion.objects.get()
    assert completion.attempt_id == attempt.pk
    assert completion.revision_id == attempt.revision_id
    assert completion.completed_on == today
    assert completion.valid_until == dt.date(today.year + 2, today.month, today.day) or (
        today.month == 2 and today.day == 29
    )
    code = completion.certificate_code
    assert len(code) == 12 and set(code) <= set(certificate_services.CERTIFICATE_ALPHABET)

    evidence = Evidence.objects.get()
    assert completion.evidence_id == evidence.pk
    assert evidence.person_id == user.person.pk
    assert evidence.competence_id == competence.pk
    assert evidence.source == Evidence.Source.COURSE
    assert evidence.source_reference == f"course-completion:{completion.pk}"
    assert evidence.expires_on == completion.valid_until

    # After passing, the quiz is closed until the completion may be renewed.
    with raises_code("completed"):
        quiz_services.attempt_start(enrolment=enrolment, by=user)
    assert Evidence.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="lms.course.complete").count() == 1


def test_certificate_codes_differ(make_course, make_learner):
    course = make_course()
    codes = set()
    for _ in range(3):
        user = make_learner()
        _attempt(_ready(course, user), user, ALL_RIGHT)
    codes = set(Completion.objects.values_list("certificate_code", flat=True))
    assert len(codes) == 3


def test_a_course_without_competence_completes_without_evidence(make_course, make_learner):
    course, user = make_course(competence=None), make_learner()
    _attempt(_ready(course, user), user, ALL_RIGHT)
    completion = Completion.objects.get()
    assert completion.evidence_id is None and completion.valid_until is None
    assert not Evidence.objects.exists()


def test_recompletion_after_expiry_is_a_new_completion_with_fresh_attempts(
    make_course, make_learner, competence
):
    course, user = make_course(competence=competence, attempts_allowed=2), make_learner()
    enrolment = _ready(course, user)
    _attempt(enrolment, user, ALL_WRONG)
    _attempt(enrolment, user, ALL_RIGHT)
    old = Completion.objects.get()
    assert quiz_services.attempts_remaining(enrolment=enrolment) == 2  # a new cycle

    # Not yet: more than 60 days left.
    with raises_code("completed"):
        quiz_services.attempt_start(enrolment=enrolment, by=user)

    # It ran out (dates moved back, as time passing would).
    today = timezone.localdate()
    Completion.objects.filter(pk=old.pk).update(
        completed_on=today - dt.timedelta(days=800), valid_until=today - dt.timedelta(days=70)
    )
    failed = _attempt(enrolment, user, ALL_WRONG)
    assert failed.number == 3
    assert quiz_services.attempts_remaining(enrolment=enrolment) == 1
    passed = _attempt(enrolment, user, ALL_RIGHT)
    new = Completion.objects.exclude(pk=old.pk).get()
    assert new.attempt_id == passed.pk
    assert new.completed_on == today
    assert new.valid_until > today
    assert new.certificate_code != old.certificate_code
    assert Evidence.objects.count() == 2
    old.refresh_from_db()
    assert old.valid_until == today - dt.timedelta(days=70)  # history stays as it was


def test_renewal_opens_sixty_days_before_expiry(make_course, make_learner, competence):
    course, user = make_course(competence=competence), make_learner()
    enrolment = _ready(course, user)
    _attempt(enrolment, user, ALL_RIGHT)
    today = timezone.localdate()
    Completion.objects.update(valid_until=today + dt.timedelta(days=60))
    assert quiz_services.attempt_start(enrolment=enrolment, by=user).number == 2


def test_due_dates_come_from_the_requirement(make_course, make_learner, competence, tree, teacher):
    requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])
    required = make_course(title="Påkrævet", competence=competence)
    optional = make_course(title="Aaa valgfrit")
    user = make_learner()
    entries = selectors.catalogue_for(index=required.get_parent(), person=user.person)
    assert [e.course.pk for e in entries] == [required.pk, optional.pk]
    assert entries[0].required and entries[0].due_on == timezone.localdate()
    assert entries[1].due_on is None and not entries[1].required

    _attempt(_ready(required, user), user, ALL_RIGHT)
    entries = selectors.catalogue_for(index=required.get_parent(), person=user.person)
    # Completed: the next deadline is the last valid day of the evidence it earned.
    assert entries[0].completed and entries[0].due_on == entries[0].completion.valid_until
