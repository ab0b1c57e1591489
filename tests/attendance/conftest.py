import datetime as dt

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import Meeting
from tests.factories import PersonFactory, UserFactory


@pytest.fixture
def make_meeting(db):
    """make_meeting(org_unit, audience=[...], capacity=.., publish=True, starts_in=timedelta)"""

    def make(
        org_unit,
        *,
        audience=(),
        capacity=10,
        publish=True,
        starts_in=dt.timedelta(days=7),
        duration=dt.timedelta(hours=2),
        **fields,
    ) -> Meeting:
        starts_at = timezone.now() + starts_in
        fields.setdefault("kind", Meeting.Kind.INFORMATION)
        fields.setdefault("title", "Informationsmøde om bekymringstegn")
        fields.setdefault("venue", "Rådhuset, mødelokale 1")
        meeting = services.meeting_create(
            org_unit=org_unit,
            audience_units=list(audience),
            capacity=capacity,
            starts_at=starts_at,
            ends_at=starts_at + duration,
            by=None,
            **fields,
        )
        if publish:
            meeting = services.meeting_publish(meeting=meeting, by=None)
        return meeting

    return make


@pytest.fixture
def make_employee(db):
    """make_employee(unit, job_category=None) -> a Person with a user account."""

    def make(unit, **fields):
        user = UserFactory()
        return PersonFactory(org_unit=unit, user=user, email=user.email, **fields)

    return make


# --- Attendance -----------------------------------------------------------------------------------


@pytest.fixture
def live_meeting(make_meeting):
    """live_meeting(org_unit, audience=[...], started=timedelta, registrants=[...], **fields) ->
    a published meeting that started `started` ago (negative: starts later) and lasts two hours,
    with `registrants` signed up. Published and signed up while in the future (both refuse the
    past), then moved in time with a plain update."""

    def make(org_unit, *, started=dt.timedelta(minutes=5), registrants=(), **fields):
        meeting = make_meeting(org_unit, **fields)
        for person in registrants:
            services.registration_create(meeting=meeting, person=person, by=None)
        starts_at = timezone.now() - started
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2)
        )
        meeting.refresh_from_db()
        return meeting

    return make
