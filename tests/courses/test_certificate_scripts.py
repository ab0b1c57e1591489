"""Certificates print every name on the roster: Latin Extended and Vietnamese, not only Latin-1."""

from __future__ import annotations

import pytest
from django.urls import reverse

from courses.models import Completion
from lms.people.models import Person
from tests.pdf import pdf_text

from .builders import ALL_RIGHT

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]

NAME = "Łukasz Çelik Nguyễn"


def test_a_certificate_prints_names_beyond_latin_1(client, make_course, make_learner, competence):
    from courses.selectors import courses as selectors
    from courses.services import courses as services
    from courses.services import quiz as quiz_services

    learner = make_learner(email="lukasz@example.dk")
    Person.objects.filter(user=learner).update(name=NAME)
    learner.refresh_from_db()
    course = make_course(title="Bekymringstegn for Đặng og Šimić", competence=competence)
    enrolment = services.enrolment_start(course=course, person=learner.person, by=learner)
    for lesson in selectors.course_lessons(course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=learner)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=learner)
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=learner)
    completion = Completion.objects.get(enrolment=enrolment)

    client.force_login(learner)
    response = client.get(reverse("courses:certificate", args=(completion.certificate_code,)))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert NAME in text
    assert "Bekymringstegn for Đặng og Šimić" in text
    # The font travels inside the PDF: a reader without DejaVu installed shows the same glyphs.
    assert b"DejaVuSans" in response.content
