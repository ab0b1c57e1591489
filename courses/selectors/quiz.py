"""Reads of the quiz: a course revision's questions, an attempt's questions in the order it showed
them, and the attempts of the current cycle (since the last completion)."""

from __future__ import annotations

import json

from django.db.models import QuerySet
from wagtail.models import Revision

from courses.lib.quiz import Choice, Question
from courses.models import Completion, CoursePage, Enrolment, QuizAttempt
from courses.selectors.courses import latest_completion
from lms.people import policy


def quiz_questions(revision: Revision) -> dict[str, Question]:
    """The questions of a course revision by block id, in the editor's order. No query: the
    revision's stored content is read through the page's own StreamField block."""
    raw = revision.content.get("quiz") or "[]"
    if isinstance(raw, str):
        raw = json.loads(raw)
    stream = CoursePage._meta.get_field("quiz").stream_block.to_python(raw)
    questions: dict[str, Question] = {}
    for item in stream:
        if item.block_type != "question":
            continue
        value = item.value
        choices = tuple(
            Choice(
                id=child.id,
                text=child.value["text"],
                correct=bool(child.value["correct"]),
                feedback=child.value.get("feedback") or "",
            )
            for child in value["choices"].bound_blocks
        )
        questions[item.id] = Question(
            id=item.id, kind=value["kind"], text=value["question"], choices=choices
        )
    return questions


def revision_pass_mark(revision: Revision, *, default: int) -> int:
    """The pass mark the revision was published with: an attempt is judged by its own rules."""
    value = revision.content.get("pass_mark")
    return int(value) if value is not None else default


def attempt_questions(attempt: QuizAttempt) -> list[tuple[Question, list[Choice]]]:
    """The attempt's questions and choices in the order the person was shown them."""
    questions = quiz_questions(attempt.revision)
    result = []
    for row in attempt.layout:
        question = questions.get(row["question"])
        if question is None:
            continue
        by_id = {choice.id: choice for choice in question.choices}
        result.append((question, [by_id[cid] for cid in row["choices"] if cid in by_id]))
    return result


def cycle_attempts(*, enrolment: Enrolment, completion: Completion | None) -> QuerySet:
    """The attempts of the current cycle: those after the latest completion. A renewal starts
    with a fresh allowance of attempts."""
    attempts = enrolment.attempts.all()
    if completion is None:
        return attempts
    if completion.attempt_id is not None:
        return attempts.filter(number__gt=completion.attempt.number)
    return attempts.filter(started_at__gt=completion.created_at)


def attempts_remaining(*, enrolment: Enrolment, course: CoursePage | None = None) -> int | None:
    """Submitted attempts left in the current cycle; None when attempts are unlimited."""
    course = course or enrolment.course
    if course.attempts_allowed is None:
        return None
    completion = latest_completion(enrolment=enrolment)
    used = (
        cycle_attempts(enrolment=enrolment, completion=completion)
        .filter(submitted_at__isnull=False)
        .count()
    )
    return max(0, course.attempts_allowed - used)


def attempts_state(
    *, enrolment: Enrolment, course: CoursePage, completion: Completion | None
) -> tuple[QuizAttempt | None, int | None, QuizAttempt | None]:
    """(the open attempt, attempts_remaining, the last submitted attempt of the current cycle)
    from one read of the enrolment's attempts, for the course page: the same answers as
    open_attempt, attempts_remaining and cycle_attempts, given the latest `completion` (read
    with its attempt). The open attempt's revision is read when it is used."""
    attempts = list(enrolment.attempts.order_by("number"))
    opened = next((a for a in attempts if a.submitted_at is None), None)
    if completion is None:
        cycle = attempts
    elif completion.attempt_id is not None:
        cycle = [a for a in attempts if a.number > completion.attempt.number]
    else:
        cycle = [a for a in attempts if a.started_at > completion.created_at]
    submitted = [a for a in cycle if a.submitted_at is not None]
    remaining = None
    if course.attempts_allowed is not None:
        remaining = max(0, course.attempts_allowed - len(submitted))
    return opened, remaining, (submitted[-1] if submitted else None)


def open_attempt(*, enrolment: Enrolment | None) -> QuizAttempt | None:
    if enrolment is None:
        return None
    return enrolment.attempts.filter(submitted_at__isnull=True).select_related("revision").first()


def attempt_for_user(*, user, pk: int) -> QuizAttempt | None:
    """A submitted or open attempt, only ever the user's own (None otherwise: a 404)."""
    person = policy.person_of(user)
    if person is None:
        return None
    return (
        QuizAttempt.objects.select_related("revision", "enrolment__course")
        .filter(pk=pk, enrolment__person=person)
        .first()
    )
