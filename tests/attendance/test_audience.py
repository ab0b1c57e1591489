"""access.person_in_meeting_audience, one query by ids, against the audience rule the meeting
lists use (_meeting_audience_q), case by case: units above, at and beside the person's, the
institution, job categories, an inactive person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance import access
from attendance.models import Meeting
from lms.people.models import OrgUnit
from tests.factories import JobCategoryFactory, PersonFactory, org_unit

from .builders import meeting_make


@pytest.mark.django_db
def test_one_query_answers_as_the_meeting_lists_do():
    root = org_unit(code="K", name="Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    a = org_unit(code="A", parent=root)
    a1 = org_unit(code="A1", parent=a)
    b = org_unit(code="B", parent=root)
    school = org_unit(code="I", parent=root, kind=OrgUnit.Kind.INSTITUTION)
    j1, j2 = JobCategoryFactory(code="J1"), JobCategoryFactory(code="J2")
    meetings = {
        "root": meeting_make(root, audience=[root]),
        "a": meeting_make(root, audience=[a]),
        "a1": meeting_make(root, audience=[a1]),
        "b": meeting_make(root, audience=[b]),
        "a and b": meeting_make(root, audience=[a, b]),
        "institution": meeting_make(root, institution=school),
        "root, J1": meeting_make(root, audience=[root], job_categories=[j1]),
        "a, J1 or J2": meeting_make(root, audience=[a], job_categories=[j1, j2]),
    }
    people = {
        "in a1, no category": PersonFactory(org_unit=a1, job_category=None),
        "in a, J1": PersonFactory(org_unit=a, job_category=j1),
        "in b, J2": PersonFactory(org_unit=b, job_category=j2),
        "in the institution, J1": PersonFactory(org_unit=school, job_category=j1),
        "in the root": PersonFactory(org_unit=root),
        "left, in a": PersonFactory(org_unit=a, active=False, left_on=dt.date.today()),
    }
    answers = {}
    for p_name, person in people.items():
        for m_name, meeting in meetings.items():
            with CaptureQueriesContext(connection) as queries:
                fast = access.person_in_meeting_audience(person, meeting)
            assert len(queries) == (1 if person.active else 0)
            listed = person.active and (
                Meeting.objects.filter(
                    access._meeting_audience_q(Meeting, person), pk=meeting.pk
                ).exists()
            )
            assert fast == listed, (p_name, m_name)
            answers[p_name, m_name] = fast
    assert {m for (p, m), yes in answers.items() if yes and p == "in a1, no category"} == {
        "root",
        "a",
        "a1",
        "a and b",
    }
    assert {m for (p, m), yes in answers.items() if yes and p == "in a, J1"} == {
        "root",
        "a",
        "a and b",
        "root, J1",
        "a, J1 or J2",
    }
    assert {m for (p, m), yes in answers.items() if yes and p == "in the institution, J1"} == {
        "root",
        "institution",
        "root, J1",
    }
    assert {m for (p, m), yes in answers.items() if yes and p == "in the root"} == {"root"}
    assert not any(yes for (p, _m), yes in answers.items() if p == "left, in a")
