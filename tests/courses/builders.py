"""Builders for the learning tests (the fixtures in conftest.py wrap them; the browser tests use
them too). The page tree is built the way an editor does: add_child, then a published revision."""

from __future__ import annotations

import json

from allauth.account.models import EmailAddress

from courses.models import CourseIndexPage, CoursePage, LessonPage
from lms.site.models import HomePage
from lms.site.services.pages import site_seed
from tests.factories import JobCategoryFactory, PersonFactory, UserFactory

# (id, kind, text, [(choice id, text, correct, feedback)])
QUESTIONS = [
    (
        "q-first",
        "single",
        "Hvad gør du først, når du er bekymret for en elev?",
        [
            ("a-leader", "Taler med min leder", True, "Rigtigt: lederen kender vejen videre."),
            ("a-press", "Kontakter pressen", False, "Nej: det skader eleven og sagen."),
            ("a-wait", "Venter og ser", False, "Nej: del bekymringen tidligt."),
        ],
    ),
    (
        "q-always",
        "true_false",
        "Et bekymringstegn betyder altid, at en person er ved at blive radikaliseret.",
        [
            ("a-true", "Sandt", False, "Nej: et tegn er en grund til at spørge, ikke en dom."),
            ("a-false", "Falsk", True, "Rigtigt: tegn skal ses i sammenhæng."),
        ],
    ),
    (
        "q-signs",
        "multiple",
        "Hvilke af disse kan være bekymringstegn?",
        [
            ("a-isolation", "Trækker sig fra venner", True, "Ja: isolation kan være et tegn."),
            ("a-hate", "Udtrykker had mod en gruppe", True, "Ja: det er et tydeligt tegn."),
            ("a-football", "Spiller fodbold", False, "Nej: almindelige fritidsinteresser."),
        ],
    ),
]
ALL_RIGHT = {"q-first": ["a-leader"], "q-always": ["a-false"], "q-signs": ["a-isolation", "a-hate"]}
ALL_WRONG = {"q-first": ["a-press"], "q-always": ["a-true"], "q-signs": ["a-football"]}


def quiz_raw(questions=QUESTIONS) -> str:
    return json.dumps(
        [
            {
                "type": "question",
                "id": qid,
                "value": {
                    "kind": kind,
                    "question": text,
                    "choices": [
                        {
                            "type": "item",
                            "id": cid,
                            "value": {"text": ctext, "correct": correct, "feedback": feedback},
                        }
                        for cid, ctext, correct, feedback in choices
                    ],
                },
            }
            for qid, kind, text, choices in questions
        ]
    )


def _lesson_body(title: str) -> str:
    return json.dumps(
        [
            {
                "type": "rich_text",
                "value": f"<p>{title}: hvad du skal vide om bekymringstegn.</p>",
            },
            {
                "type": "warning_sign",
                "value": {
                    "sign": "Trækker sig fra venner og fællesskaber",
                    "may_mean": "Mistrivsel, eller at nye fællesskaber trækker.",
                    "does_not_mean": "At personen er radikaliseret.",
                },
            },
            {
                "type": "callout",
                "value": {
                    "tone": "important",
                    "heading": "Husk",
                    "text": "<p>Del bekymringen med din leder.</p>",
                },
            },
        ]
    )


def catalogue_make() -> CourseIndexPage:
    home = site_seed(infohus_name="Infohus Hjørring", organisation_name="Hjørring Kommune").home
    home = HomePage.objects.get(pk=home.pk)
    index = CourseIndexPage(title="Kurser", slug="kurser", intro="<p>Korte kurser.</p>")
    home.add_child(instance=index)
    index.save_revision().publish()
    return CourseIndexPage.objects.get(pk=index.pk)


def course_make(
    index: CourseIndexPage,
    *,
    title: str = "Bekymringstegn",
    lessons=("Hvad er et tegn?", "Hvad gør du?"),
    questions=QUESTIONS,
    competence=None,
    audience_units=(),
    job_categories=(),
    required: bool = False,
    pass_mark: int = 80,
    attempts_allowed: int | None = None,
) -> CoursePage:
    index = CourseIndexPage.objects.get(pk=index.pk)
    course = CoursePage(
        title=title,
        summary=f"{title}: et kort kursus.",
        estimated_minutes=15,
        competence=competence,
        required=required,
        pass_mark=pass_mark,
        attempts_allowed=attempts_allowed,
        quiz=quiz_raw(questions),
    )
    course.audience_units.set(list(audience_units))
    course.job_categories.set(list(job_categories))
    index.add_child(instance=course)
    course.save_revision().publish()
    for lesson_title in lessons:
        parent = CoursePage.objects.get(pk=course.pk)
        lesson = LessonPage(title=lesson_title, body=_lesson_body(lesson_title))
        parent.add_child(instance=lesson)
        lesson.save_revision().publish()
    return CoursePage.objects.get(pk=course.pk)


def learner_make(unit, *, job_category=None, email=None):
    """A verified user linked to an active Person in `unit`."""
    user = UserFactory(**({"email": email} if email else {}))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    PersonFactory(
        email=user.email,
        org_unit=unit,
        user=user,
        job_category=job_category or JobCategoryFactory(),
    )
    user.refresh_from_db()
    return user
