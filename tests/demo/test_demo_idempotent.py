"""Loading the demo twice adds nothing, even after people have used it in between, and its history
is dated consistently (issue 8).

One load, then the demo logins act through the real services as a visitor would (a new
colleague without an employee number booked at Hjørring Gymnasium, a person added to the roster,
a sign-up, a course taken to the end, a meeting request), then a second load: no table of the
project's apps, and no Wagtail page, revision or log entry, has a row more than before it.
"""

import datetime as dt
from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from wagtail.models import ModelLogEntry, Page, PageLogEntry, Revision

from attendance import services as attendance_services
from attendance.models import ActionCardVersion, Meeting
from courses.demo import courses as courses_demo
from courses.models import Completion, CoursePage, Enrolment
from courses.selectors import courses as course_selectors
from courses.selectors import quiz as quiz_selectors
from courses.services import courses as course_services
from courses.services import quiz as quiz_services
from lms.people import services as people_services
from lms.people.models import JobCategory, OrgUnit, Person, User
from tests.factories import wagtail_roots_ensure

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("lms", "courses", "attendance", "newsletters", "reports")
WAGTAIL_MODELS = (Page, Revision, ModelLogEntry, PageLogEntry)


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [
        model
        for model in apps.get_models()
        if model.__module__.split(".")[0] in PROJECT_APPS and not model._meta.proxy
    ]
    return {model._meta.label: model._default_manager.count() for model in models} | {
        model._meta.label: model.objects.count() for model in WAGTAIL_MODELS
    }


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _use_the_demo() -> None:
    """What a visitor does with the demo logins, through the same services as the pages."""
    institution = _user("institution@demo.infohus.dk")
    coordinator = _user("koordinator@demo.infohus.dk")
    employee = _user("medarbejder@demo.infohus.dk")
    gymnasium = OrgUnit.objects.get(code="HJK-HG")
    school = OrgUnit.objects.get(code="HJK-BFU-BAG")

    # The institution coordinator books a new colleague (no employee number) for their meeting.
    meeting = Meeting.objects.get(
        title="Dialogmøde for Hjørring Gymnasium: Polarisering og ekstremisme i klasserummet"
    )
    attendance_services.person_create_and_book(
        meeting=meeting,
        name="Nyansat Underviser",
        email="ny.underviser@example.org",
        job_category=JobCategory.objects.get(code="LECTURER"),
        by=institution,
    )
    # The coordinator adds a teacher to the roster, also without an employee number.
    newcomer = people_services.person_create(
        name="Aaron Aabenraa",
        email="aaron.aabenraa@example.org",
        org_unit=school,
        job_category=JobCategory.objects.get(code="TEACHER"),
        by=coordinator,
    )
    assert newcomer.employee_number == ""
    # ...and signs them up for the teachers' meeting.
    teachers = Meeting.objects.get(
        title="Informationsmøde for lærere og pædagoger: Radikalisering og ekstremisme"
    )
    attendance_services.registration_create(meeting=teachers, person=newcomer, by=coordinator)

    # The employee finishes the course they had started and passes the quiz.
    course = CoursePage.objects.get(slug=courses_demo.MAIN_SLUG)
    enrolment = course_services.enrolment_start(course=course, person=employee.person, by=employee)
    for lesson in course_selectors.course_lessons(course):
        course_services.lesson_complete(enrolment=enrolment, lesson=lesson, by=employee)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=employee)
    questions = quiz_selectors.quiz_questions(attempt.revision)
    attempt = quiz_services.attempt_submit(
        attempt=attempt,
        answers={qid: sorted(q.correct_ids) for qid, q in questions.items()},
        by=employee,
    )
    assert attempt.passed

    # The institution coordinator asks for another meeting.
    today = timezone.localdate()
    attendance_services.request_create(
        org_unit=gymnasium,
        kind=Meeting.Kind.DIALOGUE,
        expected_participants=10,
        preferred_from=today + dt.timedelta(days=30),
        preferred_until=today + dt.timedelta(days=60),
        message="Et møde for de nye undervisere.",
        by=institution,
    )


@pytest.fixture(scope="module")
def cycle(django_db_setup, django_db_blocker):
    """Load, use, load again: once for the module, rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            load()
            _use_the_demo()
        before = row_counts()
        people = dict(Person.objects.values_list("pk", "updated_at"))
        with TestCase.captureOnCommitCallbacks(execute=True):
            output = load()
        yield {
            "before": before,
            "after": row_counts(),
            "people": people,
            "people_after": dict(Person.objects.values_list("pk", "updated_at")),
            "output": output,
        }
        transaction.set_rollback(True)


def test_a_second_load_after_use_adds_no_row_anywhere(cycle):
    grown = {
        label: (cycle["before"][label], count)
        for label, count in cycle["after"].items()
        if count != cycle["before"][label]
    }
    assert grown == {}
    # The count covers the ledgers the report named.
    assert {"competence.Evidence", "courses.Completion", "attendance.Registration"} <= set(
        cycle["before"]
    )


def test_the_second_load_says_it_had_nothing_to_add(cycle):
    assert "Nothing to add: the demo data is already loaded." in cycle["output"]


def test_the_second_load_changes_no_one_in_the_roster(cycle):
    assert cycle["people_after"] == cycle["people"]


def test_demo_choices_are_by_the_demo_roster_only(cycle, db):
    """Nobody added by a user is drawn into the demo's meetings, courses or evidence."""
    added = Person.objects.filter(email__endswith="@example.org")
    assert added.count() == 2
    assert not added.filter(evidence__isnull=False).exists()
    assert not added.filter(enrolments__isnull=False).exists()
    # Each has only the one booking a user made.
    for person in added:
        assert person.registrations.count() == 1


def test_the_demo_history_is_dated_consistently(cycle, db):
    """Courses were taken weeks ago, not on the day of the load; each Action Card version was
    written, then approved, before any copy of it was handed out."""
    today = timezone.localdate()
    learners = Completion.objects.exclude(enrolment__person__email="medarbejder@demo.infohus.dk")
    assert learners.count() >= 10
    for completion in learners.select_related("enrolment", "evidence"):
        assert completion.completed_on <= today - dt.timedelta(
            days=courses_demo.TAKEN_WITHIN_DAYS[0]
        )
        assert completion.evidence.achieved_on == completion.completed_on
        assert completion.enrolment.started_at.date() <= completion.completed_on
    course = CoursePage.objects.get(slug=courses_demo.MAIN_SLUG)
    assert course.first_published_at < Enrolment.objects.earliest("started_at").started_at

    versions = ActionCardVersion.objects.filter(approved_at__isnull=False)
    assert versions.count() == 3
    for version in versions:
        assert version.created_at < version.approved_at
        for distribution in version.distributions.select_related("meeting"):
            assert timezone.localdate(version.approved_at) <= distribution.handed_out_on
            if distribution.meeting is not None:
                assert version.approved_at <= distribution.meeting.starts_at
