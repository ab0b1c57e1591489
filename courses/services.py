"""Every change to a learner's way through a course: enrolment, lessons done, quiz attempts and
completions.

Each function is keyword-only and typed; `by` is the acting user (None: the system). A learner
acts only for their own roster entry, in a live course of their audience (lms.people.policy).
The competence ledger is written through lms.competence.services.evidence_record only, with a
stable source reference, so a completion is recorded as evidence exactly once.

Scoring (said on the result page too): a single-choice or true/false question scores 1 when the
correct answer is chosen, else 0. A multiple-choice question gives partial credit:
max(0, (correct answers chosen - wrong answers chosen) / number of correct answers). The score
is the mean over the questions in percent; the attempt passes at the revision's pass mark.

Each takes an optional `now` (lms.clock: the current time by default, never later), the moment
the learner acted: the demo loader dates the courses people took weeks ago through these services.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import quiz, selectors
from courses.blocks import QuestionBlock
from courses.models import (
    Completion,
    CoursePage,
    Enrolment,
    LessonPage,
    LessonProgress,
    QuizAttempt,
)
from lms import audit, clock
from lms.competence import services as competence_services
from lms.competence.models import Evidence
from lms.people import policy
from lms.people.models import Person, User

__all__ = [
    "CERTIFICATE_ALPHABET",
    "attempt_start",
    "attempt_submit",
    "attempts_remaining",
    "certificate_code_new",
    "enrolment_start",
    "lesson_complete",
    "question_credit",
]

# No 0/O, 1/I/L: a code read aloud or typed from paper is not misread.
CERTIFICATE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CERTIFICATE_CODE_LENGTH = 12


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, code="permission_denied")


def _require_learner(*, course: CoursePage, person: Person, by: User | None) -> None:
    """A learner acts for themselves only; whoever acts, the person must be in the audience of
    the live course."""
    if by is not None:
        own = policy.person_of(by)
        if own is None or own.pk != person.pk or not getattr(by, "is_active", False):
            raise _refuse(_("You can only take courses for yourself."))
    if not policy.person_may_take_course(person, course):
        raise _refuse(_("This course is not open to you."))


def _locked_enrolment(enrolment: Enrolment) -> Enrolment:
    return (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("course", "person__org_unit")
        .get(pk=enrolment.pk)
    )


# --- Enrolment and lessons ----------------------------------------------------------------------


def enrolment_start(
    *, course: CoursePage, person: Person, by: User | None, now: dt.datetime | None = None
) -> Enrolment:
    """Enrol `person` in `course`. Idempotent: an existing enrolment is returned unchanged."""
    now = clock.as_of(now)
    _require_learner(course=course, person=person, by=by)
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
    _require_learner(course=course, person=enrolment.person, by=by)
    if not (
        lesson.live and lesson.depth == course.depth + 1 and lesson.path.startswith(course.path)
    ):
        raise ValidationError(_("This lesson is not part of the course."), code="not_in_course")
    with transaction.atomic():
        enrolment = _locked_enrolment(enrolment)
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


# --- Quiz attempts ------------------------------------------------------------------------------


def attempts_remaining(*, enrolment: Enrolment) -> int | None:
    """Submitted attempts left in the current cycle; None when attempts are unlimited."""
    return selectors.attempts_remaining(enrolment=enrolment)


def _layout(questions, rng: random.Random) -> list[dict]:
    order = list(questions.values())
    rng.shuffle(order)
    layout = []
    for question in order:
        choices = [choice.id for choice in question.choices]
        # "True" before "false", as people read them; other answers are shuffled.
        if question.kind != QuestionBlock.TRUE_FALSE:
            rng.shuffle(choices)
        layout.append({"question": question.id, "choices": choices})
    return layout


def attempt_start(
    *,
    enrolment: Enrolment,
    by: User | None,
    rng: random.Random | None = None,
    now: dt.datetime | None = None,
) -> QuizAttempt:
    """Open a quiz attempt on the course's live revision, its questions and answers shuffled.

    Returns the open attempt if there is one. Refused until every lesson is done, while a
    completion is valid (until it may be renewed) and when the attempts are used up."""
    now = clock.as_of(now)
    _require_learner(course=enrolment.course, person=enrolment.person, by=by)
    with transaction.atomic():
        enrolment = _locked_enrolment(enrolment)
        course = enrolment.course
        current = selectors.open_attempt(enrolment=enrolment)
        if current is not None:
            return current
        lessons = selectors.course_lessons(course)
        done = selectors.lessons_done_ids(enrolment=enrolment)
        if any(lesson.pk not in done for lesson in lessons):
            raise ValidationError(
                _("Finish every lesson before you take the quiz."), code="lessons_unfinished"
            )
        completion = selectors.latest_completion(enrolment=enrolment)
        if not selectors.renewal_open(completion, today=timezone.localdate(now)):
            raise ValidationError(_("You have already completed this course."), code="completed")
        remaining = selectors.attempts_remaining(enrolment=enrolment, course=course)
        if remaining == 0:
            raise ValidationError(
                _("You have used all your attempts at this quiz."), code="attempts_used"
            )
        revision = course.live_revision
        if revision is None:
            raise ValidationError(_("This course is not published."), code="not_published")
        questions = selectors.quiz_questions(revision)
        if not questions:
            raise ValidationError(_("This course has no quiz yet."), code="no_quiz")
        last = enrolment.attempts.order_by("-number").values_list("number", flat=True).first()
        attempt = QuizAttempt.objects.create(
            enrolment=enrolment,
            number=(last or 0) + 1,
            revision=revision,
            layout=_layout(questions, rng or random.SystemRandom()),
            started_at=now,
        )
        audit.log(
            enrolment,
            "lms.course.attempt_start",
            by=by,
            data={
                "course_id": course.pk,
                "attempt_id": attempt.pk,
                "number": attempt.number,
                "revision_id": revision.pk,
            },
        )
    return attempt


def question_credit(question: quiz.Question, chosen: set[str]) -> Fraction:
    """The credit of one question, 0 to 1 (the rule is in the module docstring)."""
    correct = question.correct_ids
    if question.is_multiple:
        right = len(chosen & correct)
        wrong = len(chosen - correct)
        return max(Fraction(0), Fraction(right - wrong, len(correct)))
    return Fraction(1) if chosen == correct else Fraction(0)


def _clean_answers(
    attempt: QuizAttempt, questions: dict[str, quiz.Question], answers: dict
) -> dict[str, list[str]]:
    shown = {row["question"] for row in attempt.layout}
    mismatch = ValidationError(
        _("The answers do not belong to this quiz. Reload the page and try again."),
        code="invalid_answers",
    )
    if not isinstance(answers, dict) or not set(answers) <= shown:
        raise mismatch
    cleaned: dict[str, list[str]] = {}
    for number, row in enumerate(attempt.layout, 1):
        question = questions.get(row["question"])
        if question is None:
            raise mismatch
        chosen = answers.get(question.id) or []
        if isinstance(chosen, str) or not all(isinstance(c, str) for c in chosen):
            raise mismatch
        chosen = list(dict.fromkeys(chosen))
        if not set(chosen) <= question.choice_ids:
            raise mismatch
        if len(chosen) > 1 and not question.is_multiple:
            raise ValidationError(
                _("Choose only one answer to question %(number)d.") % {"number": number},
                code="one_answer_only",
            )
        cleaned[question.id] = chosen
    return cleaned


def certificate_code_new() -> str:
    """An unguessable verification code (31^12, about 59 bits)."""
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def _completion_create(*, attempt: QuizAttempt, today: dt.date, by: User | None) -> Completion:
    enrolment = attempt.enrolment
    course = enrolment.course
    completion = None
    for _try in range(5):
        try:
            # A savepoint: on the (astronomically unlikely) clash of codes, draw again.
            with transaction.atomic():
                completion = Completion.objects.create(
                    enrolment=enrolment,
                    attempt=attempt,
                    revision=attempt.revision,
                    completed_on=today,
                    certificate_code=certificate_code_new(),
                )
            break
        except IntegrityError:
            if Completion.objects.filter(attempt=attempt).exists():
                raise
    if completion is None:
        raise RuntimeError("No free certificate code after five tries.")
    if course.competence_id is not None:
        # The system records the evidence: the learner holds no EVIDENCE_RECORD grant, and the
        # completion itself (checked above) is what earns it.
        evidence = competence_services.evidence_record(
            person=enrolment.person,
            competence=course.competence,
            source=Evidence.Source.COURSE,
            source_reference=f"course-completion:{completion.pk}",
            achieved_on=today,
            by=None,
        )
        completion.evidence = evidence
        completion.valid_until = evidence.expires_on
        completion.save(update_fields=["evidence", "valid_until"])
    audit.log(
        enrolment,
        "lms.course.complete",
        by=by,
        data={
            "course_id": course.pk,
            "completion_id": completion.pk,
            "attempt_id": attempt.pk,
            "revision_id": attempt.revision_id,
            "evidence_id": completion.evidence_id,
            "valid_until": completion.valid_until.isoformat() if completion.valid_until else None,
        },
    )
    return completion


def attempt_submit(
    *,
    attempt: QuizAttempt,
    answers: dict[str, list[str]],
    by: User | None,
    now: dt.datetime | None = None,
) -> QuizAttempt:
    """Score an open attempt against its own revision; on a pass, the completion and (once) the
    evidence. A second submit of the same attempt (another tab) changes nothing and returns the
    attempt as it was scored. The completion and the evidence are dated the day of `now`."""
    now = clock.as_of(now)
    enrolment = attempt.enrolment
    _require_learner(course=enrolment.course, person=enrolment.person, by=by)
    with transaction.atomic():
        # Lock the enrolment first, as attempt_start does: one order, no deadlock.
        enrolment = _locked_enrolment(enrolment)
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("revision")
            .get(pk=attempt.pk)
        )
        attempt.enrolment = enrolment
        if attempt.submitted_at is not None:
            return attempt
        questions = selectors.quiz_questions(attempt.revision)
        cleaned = _clean_answers(attempt, questions, answers)
        credits = [question_credit(questions[qid], set(chosen)) for qid, chosen in cleaned.items()]
        mean = sum(credits, Fraction(0)) / len(credits) if credits else Fraction(0)
        score = (Decimal(mean.numerator) * 100 / Decimal(mean.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        pass_mark = selectors.revision_pass_mark(
            attempt.revision, default=enrolment.course.pass_mark
        )
        attempt.answers = cleaned
        attempt.score = score
        attempt.passed = score >= pass_mark
        if now < attempt.started_at:
            raise ValueError("now cannot come before the attempt was started")
        attempt.submitted_at = now
        attempt.save(update_fields=["answers", "score", "passed", "submitted_at"])
        audit.log(
            enrolment,
            "lms.course.attempt_submit",
            by=by,
            data={
                "course_id": enrolment.course_id,
                "attempt_id": attempt.pk,
                "number": attempt.number,
                "score": str(score),
                "passed": attempt.passed,
            },
        )
        if attempt.passed:
            _completion_create(attempt=attempt, today=timezone.localdate(now), by=by)
    return attempt
