"""Min læring: a started course is "I gang", required courses show their deadline, the result of
a passed quiz links to the certificate; and the course services' clock (issue 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from courses.models import Completion, QuizAttempt
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.competence.models import Evidence, Requirement
from lms.competence.services import evidence as competence_services
from lms.people.models import Person
from tests.factories import requirement

from .builders import ALL_RIGHT, ALL_WRONG

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]


def _ready(course, user, **clock):
    enrolment = services.enrolment_start(course=course, person=user.person, by=user, **clock)
    for lesson in selectors.course_lessons(course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user, **clock)
    return enrolment


def _section(html: str, heading: str, next_heading: str) -> str:
    return html[html.index(heading) : html.index(next_heading)]


def _day(date: dt.date) -> str:
    return date_format(date, "j. F Y")


def _required(competence, tree, teacher):
    return requirement(competence=competence, org_unit=tree["HJ"], job_categories=[teacher])


# --- "I gang" and "Skal tages" ------------------------------------------------------------------


def test_a_started_required_course_is_in_progress_not_due(
    client, make_course, make_learner, competence, tree, teacher
):
    _required(competence, tree, teacher)
    course = make_course(title="Påkrævet og påbegyndt", competence=competence)
    user = make_learner()
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    services.lesson_complete(
        enrolment=enrolment, lesson=selectors.course_lessons(course)[0], by=user
    )

    client.force_login(user)
    response = client.get(reverse("courses:my_learning"))
    learning = response.context["learning"]
    assert [e.course.pk for e in learning.in_progress] == [course.pk]
    assert learning.due == []
    html = response.content.decode()
    in_progress = _section(html, 'id="progress-heading"', 'id="completions-heading"')
    assert "Påkrævet og påbegyndt" in in_progress
    assert "1 af 2 lektioner gennemført" in in_progress
    # Its deadline goes with it.
    assert "Frist: " in in_progress
    due = _section(html, 'id="due-heading"', 'id="progress-heading"')
    assert "Påkrævet og påbegyndt" not in due
    assert "Du har ingen kurser, der skal tages lige nu." in due
    # Every required course still to complete, started or not (for a start page).
    assert [e.course.pk for e in learning.required] == [course.pk]


def test_a_required_course_not_started_is_due(client, make_course, make_learner, competence):
    course = make_course(title="Påkrævet af redaktøren", required=True)
    client.force_login(make_learner())
    learning = client.get(reverse("courses:my_learning")).context["learning"]
    assert [e.course.pk for e in learning.due] == [course.pk]
    assert learning.in_progress == []


# --- The deadline -------------------------------------------------------------------------------


def test_the_deadline_of_a_held_competence_is_the_last_valid_day_of_the_evidence(
    client, make_course, make_learner, competence, tree, teacher
):
    _required(competence, tree, teacher)
    course = make_course(title="Bekymringstegn", competence=competence)
    user = make_learner()
    today = timezone.localdate()
    # Earned at a meeting a year ago: valid for another year, so not yet "expiring".
    evidence = competence_services.evidence_record(
        person=user.person,
        competence=competence,
        source=Evidence.Source.MEETING,
        source_reference="meeting:1",
        achieved_on=today - dt.timedelta(days=365),
    )

    client.force_login(user)
    response = client.get(reverse("courses:my_learning"))
    (entry,) = response.context["learning"].due
    assert entry.course.pk == course.pk
    assert entry.due_on == evidence.expires_on
    assert f"Frist: {_day(evidence.expires_on)}" in response.content.decode()
    # The catalogue shows it too.
    assert f"Frist: {_day(evidence.expires_on)}" in client.get("/kurser/").content.decode()


def test_the_deadline_of_an_expiring_competence(
    client, make_course, make_learner, competence, tree, teacher
):
    _required(competence, tree, teacher)
    make_course(title="Bekymringstegn", competence=competence)
    user = make_learner()
    today = timezone.localdate()
    evidence = competence_services.evidence_record(
        person=user.person,
        competence=competence,
        source=Evidence.Source.MEETING,
        source_reference="meeting:2",
        achieved_on=competence_services.add_months(today, -24) + dt.timedelta(days=30),
    )
    client.force_login(user)
    html = client.get(reverse("courses:my_learning")).content.decode()
    assert f"Frist: {_day(evidence.expires_on)}" in html
    assert f"Forny senest {_day(evidence.expires_on)}" in html or "Forny" in html


def test_without_evidence_the_deadline_is_when_the_requirement_came_to_apply(
    client, make_course, make_learner, competence, tree, teacher
):
    rule = _required(competence, tree, teacher)
    make_course(title="Bekymringstegn", competence=competence)
    old_hand, newcomer = make_learner(), make_learner()
    made = timezone.now() - dt.timedelta(days=100)
    joined = timezone.now() - dt.timedelta(days=20)
    Requirement.objects.filter(pk=rule.pk).update(created_at=made)
    Person.objects.filter(pk=old_hand.person.pk).update(created_at=made - dt.timedelta(days=300))
    Person.objects.filter(pk=newcomer.person.pk).update(created_at=joined)

    client.force_login(old_hand)
    response = client.get(reverse("courses:my_learning"))
    (entry,) = response.context["learning"].due
    assert entry.due_on == timezone.localdate(made)
    html = response.content.decode()
    assert f"Frist: {_day(timezone.localdate(made))}" in html
    assert "Skal tages nu" in html

    client.force_login(newcomer)
    (entry,) = client.get(reverse("courses:my_learning")).context["learning"].due
    assert entry.due_on == timezone.localdate(joined)


# --- The result page links to the certificate ---------------------------------------------------


def test_the_result_of_a_passed_quiz_links_to_the_certificate(
    client, make_course, make_learner, competence
):
    course = make_course(competence=competence, attempts_allowed=3)
    user = make_learner()
    enrolment = _ready(course, user)
    failed = quiz_services.attempt_submit(
        attempt=quiz_services.attempt_start(enrolment=enrolment, by=user),
        answers=ALL_WRONG,
        by=user,
    )
    passed = quiz_services.attempt_submit(
        attempt=quiz_services.attempt_start(enrolment=enrolment, by=user),
        answers=ALL_RIGHT,
        by=user,
    )
    code = Completion.objects.get().certificate_code
    pdf = reverse("courses:certificate", args=(code,))
    verify = reverse("courses:certificate_verify", args=(code,))

    client.force_login(user)
    html = client.get(reverse("courses:attempt_result", args=(passed.pk,))).content.decode()
    assert f'href="{pdf}"' in html and "Hent dit kursusbevis (PDF)" in html
    assert f'href="{verify}"' in html and "Tjek beviset online" in html
    assert client.get(pdf).status_code == 200
    assert client.get(verify).status_code == 200

    html = client.get(reverse("courses:attempt_result", args=(failed.pk,))).content.decode()
    assert pdf not in html and verify not in html


# --- The clock ----------------------------------------------------------------------------------


def test_a_course_taken_weeks_ago_is_dated_then(make_course, make_learner, competence):
    course = make_course(competence=competence)
    user = make_learner()
    then = timezone.now() - dt.timedelta(days=40)
    enrolment = _ready(course, user, now=then)
    assert enrolment.started_at == then
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user, now=then)
    attempt = quiz_services.attempt_submit(
        attempt=attempt, answers=ALL_RIGHT, by=user, now=then + dt.timedelta(minutes=5)
    )
    completion = Completion.objects.get()
    assert completion.completed_on == timezone.localdate(then)
    assert completion.evidence.achieved_on == timezone.localdate(then)
    assert attempt.submitted_at == then + dt.timedelta(minutes=5)


def test_the_course_clock_refuses_the_future_a_naive_time_and_going_back(make_course, make_learner):
    course, user = make_course(), make_learner()
    with pytest.raises(ValueError):
        services.enrolment_start(
            course=course, person=user.person, by=user, now=timezone.now() + dt.timedelta(hours=1)
        )
    with pytest.raises(ValueError):
        services.enrolment_start(
            course=course, person=user.person, by=user, now=dt.datetime(2026, 1, 5, 10, 0)
        )
    enrolment = _ready(course, user)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    with pytest.raises(ValueError):
        quiz_services.attempt_submit(
            attempt=attempt,
            answers=ALL_RIGHT,
            by=user,
            now=attempt.started_at - dt.timedelta(minutes=1),
        )
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not QuizAttempt.objects.filter(passed=True).exists()
