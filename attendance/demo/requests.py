"""Demo meeting requests: one in each state a visitor of the demo should see, made by the demo
logins through the real services.

- submitted: the institution coordinator asks for an information meeting at Hjørring Gymnasium;
- proposed: the department contact asks for a dialogue meeting at Bagterpskolen, and the
  coordinator has proposed another time;
- accepted: the institution coordinator's earlier request, accepted with its published meeting;
- declined: the department contact's request for the daycare centres, declined with a reason.

No mail goes out: the services' notifications are registered inside
attendance.notifications.meetings.silenced(), which drops them when the change is made (not
at commit), so it holds even if the caller wraps the load in its own transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, MeetingRequest
from attendance.notifications import meetings as notifications
from lms.competence.models import Competence
from lms.people.models import OrgUnit, User

COORDINATOR = "koordinator@demo.infohus.dk"
DEPARTMENT = "afdeling@demo.infohus.dk"
INSTITUTION = "institution@demo.infohus.dk"
# The demo competence a meeting about warning signs awards (lms.competence.demo).
SIGNS_NAME = "Kender bekymringstegn"
# The messages are part of each demo request's stable key (with who asked and for which unit).
SUBMITTED_MESSAGE = (
    "Vi vil gerne have et informationsmøde for lærere og studievejledere om bekymringstegn og om, "
    "hvem vi kontakter."
)
PROPOSED_MESSAGE = "Dialogmøde for udskolingens lærere efter en konkret episode i en klasse."
ACCEPTED_MESSAGE = "Dialogmøde for studievejlederne."
DECLINED_MESSAGE = "Fælles møde for alle dagtilbud i næste uge."


def weekday(day: dt.date, *, step: int = 1) -> dt.date:
    """The day, or the nearest working day after it (step=-1: before it): the demo's meetings are
    held on working days. attendance.demo.meetings uses it too."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=step)
    return day


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def requests_demo_load() -> int:
    """Create the demo municipality's meeting requests in each state; return how many were
    created (0 on a second run, or when the demo logins are not there)."""
    users = {
        u.email: u for u in User.objects.filter(email__in=[COORDINATOR, DEPARTMENT, INSTITUTION])
    }
    if len(users) < 3:
        return 0
    coordinator, department, institution = (
        users[COORDINATOR],
        users[DEPARTMENT],
        users[INSTITUTION],
    )
    # Each demo request is known by who asked, for which unit, and its message: requests a user
    # makes with the demo logins are none of them, and do not stop a missing one from being made.
    made = set(
        MeetingRequest.objects.filter(requested_by__in=[department, institution]).values_list(
            "requested_by_id", "org_unit_id", "message"
        )
    )

    def missing(by: User, unit: OrgUnit, message: str) -> bool:
        return (by.pk, unit.pk, message) not in made

    units = {
        u.code: u for u in OrgUnit.objects.filter(code__in=["HJK-HG", "HJK-BFU-BAG", "HJK-BFU"])
    }
    gymnasium, school, bfu = units["HJK-HG"], units["HJK-BFU-BAG"], units["HJK-BFU"]
    today = timezone.localdate()
    signs = Competence.objects.filter(name=SIGNS_NAME).first()
    created = 0
    with notifications.silenced(), transaction.atomic():
        if missing(institution, gymnasium, SUBMITTED_MESSAGE):
            services.request_create(
                org_unit=gymnasium,
                kind=Meeting.Kind.INFORMATION,
                expected_participants=45,
                preferred_from=today + dt.timedelta(days=21),
                preferred_until=today + dt.timedelta(days=49),
                preferred_times="Tirsdag eller torsdag eftermiddag efter kl. 14",
                place="Hjørring Gymnasium, auditoriet",
                message=SUBMITTED_MESSAGE,
                by=institution,
            )
            created += 1
        if missing(department, school, PROPOSED_MESSAGE):
            created += _proposed(school, department, coordinator, today)
        if missing(institution, gymnasium, ACCEPTED_MESSAGE):
            created += _accepted(gymnasium, institution, coordinator, signs, today)
        if missing(department, bfu, DECLINED_MESSAGE):
            created += _declined(bfu, department, coordinator, today)
    return created


def _proposed(school, department, coordinator, today) -> int:
    proposed = services.request_create(
        org_unit=school,
        kind=Meeting.Kind.DIALOGUE,
        expected_participants=20,
        preferred_from=today + dt.timedelta(days=14),
        preferred_until=today + dt.timedelta(days=28),
        preferred_times="Mandag eftermiddag",
        place="Bagterpskolen, personalerummet",
        message=PROPOSED_MESSAGE,
        by=department,
    )
    proposed_day = weekday(today + dt.timedelta(days=31))
    services.request_propose(
        request=proposed,
        starts_at=_at(proposed_day, 14),
        ends_at=_at(proposed_day, 16),
        message="Vi er optaget i den ønskede periode. Passer denne dag i stedet?",
        by=coordinator,
    )
    return 1


def _accepted(gymnasium, institution, coordinator, signs, today) -> int:
    accepted = services.request_create(
        org_unit=gymnasium,
        kind=Meeting.Kind.DIALOGUE,
        expected_participants=12,
        preferred_from=today + dt.timedelta(days=7),
        preferred_until=today + dt.timedelta(days=21),
        place="Hjørring Gymnasium, lokale 12",
        message=ACCEPTED_MESSAGE,
        by=institution,
    )
    accepted_day = weekday(today + dt.timedelta(days=10))
    services.request_accept(
        request=accepted,
        by=coordinator,
        title="Dialogmøde for studievejledere, Hjørring Gymnasium",
        starts_at=_at(accepted_day, 13),
        ends_at=_at(accepted_day, 15),
        capacity=15,
        venue="Hjørring Gymnasium, lokale 12",
        facilitators=[coordinator],
        competence=signs,
    )
    return 1


def _declined(bfu, department, coordinator, today) -> int:
    declined = services.request_create(
        org_unit=bfu,
        kind=Meeting.Kind.INFORMATION,
        expected_participants=150,
        preferred_from=today + dt.timedelta(days=3),
        preferred_until=today + dt.timedelta(days=5),
        message=DECLINED_MESSAGE,
        by=department,
    )
    services.request_decline(
        request=declined,
        reason=(
            "Vi kan ikke nå et møde for 150 deltagere i næste uge. Tilmeld gerne "
            "medarbejderne til informationsmøderne i kalenderen, eller bed om et møde pr. "
            "dagtilbud."
        ),
        by=coordinator,
    )
    return 1
