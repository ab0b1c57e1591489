"""Where course pages may live, and the quiz question rules an editor meets in the admin."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from courses.blocks import QuestionBlock
from courses.models import CourseIndexPage, CoursePage, LessonPage
from lms.site.models import HomePage, InformationPage


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (CourseIndexPage, HomePage, True),
        (CourseIndexPage, InformationPage, False),
        (CourseIndexPage, Page, False),
        (CoursePage, CourseIndexPage, True),
        (CoursePage, HomePage, False),
        (LessonPage, CoursePage, True),
        (LessonPage, CourseIndexPage, False),
        (LessonPage, LessonPage, False),
        (InformationPage, CoursePage, False),
    ],
)
def test_page_type_rules(child, parent, allowed):
    # Wagtail allows a page type under a parent only when both sides agree.
    both = child in parent.allowed_subpage_models() and parent in child.allowed_parent_page_models()
    assert both is allowed


def _question(kind, *answers):
    block = QuestionBlock()
    return block, block.to_python(
        {
            "kind": kind,
            "question": "Hvad er et bekymringstegn?",
            "choices": [
                {"text": text, "correct": correct, "feedback": ""} for text, correct in answers
            ],
        }
    )


@pytest.mark.parametrize(
    ("kind", "answers", "message"),
    [
        ("single", [("A", True), ("B", True)], "præcis ét svar"),
        ("single", [("A", False), ("B", False)], "præcis ét svar"),
        ("true_false", [("Sandt", True), ("Falsk", False), ("Ved ikke", False)], "to svar"),
        ("multiple", [("A", False), ("B", False)], "mindst ét svar"),
    ],
)
def test_question_rules(kind, answers, message):
    block, value = _question(kind, *answers)
    with pytest.raises(ValidationError) as error:
        block.clean(value)
    assert message in str(error.value.non_block_errors)


@pytest.mark.parametrize(
    ("kind", "answers"),
    [
        ("single", [("A", True), ("B", False)]),
        ("true_false", [("Sandt", False), ("Falsk", True)]),
        ("multiple", [("A", True), ("B", True), ("C", False)]),
    ],
)
def test_valid_questions(kind, answers):
    block, value = _question(kind, *answers)
    assert block.clean(value)["kind"] == kind
