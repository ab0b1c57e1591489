"""Quiz attempts: starting one (with its shuffled layout), handing it in, scoring it.

Scoring (said on the result page too): a single-choice or true/false question scores 1 when the
correct answer is chosen, else 0. A multiple-choice question gives partial credit:
max(0, (correct answers chosen - wrong answers chosen) / number of correct answers). The score
is the mean over the questions in percent; the attempt passes at the revision's pass mark.

Each function is keyword-only and typed; `by` is the acting user (None: the system), a learner
acting for their own roster entry only (services.courses.learner_require). Each takes an optional
`now` (lms.clock), the moment the learner acted.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.blocks import QuestionBlock
from courses.lib import quiz
from courses.models import Enrolment, QuizAttempt
from courses.selectors import courses as selectors
from courses.selectors import quiz as quiz_selectors
from courses.services.certificates import completion_create
from courses.services.courses import enrolment_lock, learner_require
from lms import audit, clock
from lms.people.models import User

__all__ = ["attempt_start", "attempt_submit", "attempts_remaining", "question_credit"]


def attempts_remaining(*, enrolment: Enrolment) -> int | None:
    """Submitted attempts left in the current cycle; None when attempts are unlimited."""
    return quiz_selectors.attempts_remaining(enrolment=enrolment)


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
    learner_require(course=enrolment.course, person=enrolment.person, by=by)
    with transaction.atomic():
        enrolment = enrolment_lock(enrolment)
        course = enrolment.course
        current = quiz_selectors.open_attempt(enrolment=enrolment)
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
        remaining = quiz_selectors.attempts_remaining(enrolment=enrolment, course=course)
        if remaining == 0:
            raise ValidationError(
                _("You have used all your attempts at this quiz."), code="attempts_used"
            )
        revision = course.live_revision
        if revision is None:
            raise ValidationError(_("This course is not published."), code="not_published")
        questions = quiz_selectors.quiz_questions(revision)
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
    learner_require(course=enrolment.course, person=enrolment.person, by=by)
    with transaction.atomic():
        # Lock the enrolment first, as attempt_start does: one order, no deadlock.
        enrolment = enrolment_lock(enrolment)
        attempt = (
            QuizAttempt.objects.select_for_update(of=("self",))
            .select_related("revision")
            .get(pk=attempt.pk)
        )
        attempt.enrolment = enrolment
        if attempt.submitted_at is not None:
            return attempt
        questions = quiz_selectors.quiz_questions(attempt.revision)
        cleaned = _clean_answers(attempt, questions, answers)
        credits = [question_credit(questions[qid], set(chosen)) for qid, chosen in cleaned.items()]
        mean = sum(credits, Fraction(0)) / len(credits) if credits else Fraction(0)
        score = (Decimal(mean.numerator) * 100 / Decimal(mean.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        pass_mark = quiz_selectors.revision_pass_mark(
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
            completion_create(attempt=attempt, today=timezone.localdate(now), by=by)
    return attempt
