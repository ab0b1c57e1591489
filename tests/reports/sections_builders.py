"""The hand-computed fixture of the Overblik sections (outreach, courses, newsletters, concerns),
dated from today: PREV is the previous half-year, NOW the current one. The figures are for HJ
(the tree of tests.factories plus an administration and an institution no meeting reached);
FR's rows are there to be left out.

Outreach, PREV: meetings held: 1 internal (m1, audience HJ-BFU), 1 external (m2, for HJ-GYM);
  participants: m1 5 present + 1 absent of HJ Skole (+1 of FR, not counted), m2 3 of HJ-GYM
  present -> internal 5, external 3, attended 8 of 9 marked = 88,9 pct.
  NOW: m3 internal held, 2 present. Not counted: a cancelled meeting, a published one, FR's.
  Requests, PREV: 3 received, 2 answered after 2 and 4 days -> median 3 days.
  Cards: v1 20 copies to HJ Skole (PREV), v2 (current) 10 copies to HJ Gymnasium (NOW):
  HJ Skole still holds a superseded version.
  Unreached: HJ Sundhed (administration), HJ EUC (institution).
Courses, PREV: 6 attempts (5 passed) -> 83,3 pct., 5 completions; NOW: 1 attempt passed, 1
  completion. FR's learner not counted.
Newsletters, PREV's year: 1 edition sent by HJ; 6 HJ recipients, 5 delivered (83,3 pct.);
  FR's send of the same edition and its recipient not counted.
Concerns, PREV: 7 (6 coordinators, 1 police representative; 5 advice, 2 no outcome yet; 4
  under 18, 3 adults; 5 from HJ BFU, 2 from no unit); feedback after 1, 2, 3, 4, 10 days ->
  median 3 days. FR's concern not counted.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from attendance.models import (
    ActionCardVersion,
    Attendance,
    CardDistribution,
    Meeting,
    MeetingRequest,
)
from courses.models import Completion, Enrolment, QuizAttempt
from lms.concerns.models import Concern
from lms.people.models import OrgUnit, Role
from newsletters.models import Delivery, Send
from reports.lib.periods import HalfYear
from tests.attendance.builders import card_make
from tests.courses.builders import catalogue_make, course_make
from tests.factories import PersonFactory, RoleAssignmentFactory, UserFactory, org_unit

TODAY = timezone.localdate()
NOW = HalfYear.of(TODAY)
PREV = NOW.previous
DAY = dt.timedelta(days=1)

# Outreach 10 (meetings, participants, requests, answer days, cards, superseded places, the
# units and three lists of reached paths), courses 2, newsletters 2, concerns 6 (four
# breakdowns, the administrations' names, the feedback days).
SECTION_QUERIES = 20


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _meeting(unit, when, status=Meeting.Status.HELD, **fields) -> Meeting:
    audience = fields.pop("audience", ())
    meeting = Meeting.objects.create(
        kind=Meeting.Kind.INFORMATION,
        title="Informationsmøde",
        org_unit=unit,
        starts_at=when,
        ends_at=when + dt.timedelta(hours=2),
        capacity=50,
        status=status,
        cancel_reason="Aflyst" if status == Meeting.Status.CANCELLED else "",
        **fields,
    )
    meeting.audience_units.set(audience)
    return meeting


def _mark(meeting, people, mark=Attendance.Mark.PRESENT):
    for person in people:
        Attendance.objects.create(
            meeting=meeting,
            person=person,
            mark=mark,
            method=Attendance.Method.ROSTER,
            marked_at=meeting.starts_at,
        )


def _request(unit, created, answered=None):
    request = MeetingRequest.objects.create(
        kind=Meeting.Kind.DIALOGUE,
        org_unit=unit,
        expected_participants=10,
        preferred_from=TODAY,
        preferred_until=TODAY + 30 * DAY,
    )
    MeetingRequest.objects.filter(pk=request.pk).update(
        created_at=at(created), handled_at=at(answered) if answered else None
    )


def sections_build(tree) -> dict:
    hj, fr = tree["HJ"], tree["FR"]
    school, gym = tree["HJ-SKOLE"], tree["HJ-GYM"]
    extra = {
        "HJ-SUND": org_unit(
            code="HJ-SUND", name="HJ Sundhed", kind=OrgUnit.Kind.ADMINISTRATION, parent=hj
        ),
        "HJ-EUC": org_unit(code="HJ-EUC", name="HJ EUC", kind=OrgUnit.Kind.INSTITUTION, parent=hj),
    }
    for unit in (hj, fr, school, gym):
        unit.refresh_from_db()
    prev_day = PREV.start + 10 * DAY
    teachers = [PersonFactory(name=f"Lærer {n}", org_unit=school) for n in range(6)]
    students = [PersonFactory(name=f"Gym {n}", org_unit=gym) for n in range(3)]
    foreigner = PersonFactory(name="Fremmed", org_unit=tree["FR-SKOLE"])

    m1 = _meeting(hj, at(prev_day), audience=[tree["HJ-BFU"]])
    _mark(m1, teachers[:5])
    _mark(m1, teachers[5:], Attendance.Mark.ABSENT)
    _mark(m1, [foreigner])
    m2 = _meeting(hj, at(prev_day + DAY), institution=gym)
    _mark(m2, students)
    m3 = _meeting(hj, at(NOW.start, 9))
    _mark(m3, teachers[:2])
    _meeting(hj, at(prev_day), status=Meeting.Status.CANCELLED)
    _meeting(hj, at(NOW.start, 9), status=Meeting.Status.PUBLISHED)
    m_fr = _meeting(fr, at(prev_day))
    _mark(m_fr, [foreigner])

    _request(tree["HJ-BFU"], prev_day, prev_day + 2 * DAY)
    _request(school, prev_day, prev_day + 4 * DAY)
    _request(school, prev_day)
    _request(tree["FR-BFU"], prev_day, prev_day + DAY)

    author = UserFactory()
    RoleAssignmentFactory(user=author, role=Role.COORDINATOR, org_unit=hj)
    card = card_make(org_unit=hj, author=author, approver=None)
    v1 = card.versions.get()
    ActionCardVersion.objects.filter(pk=v1.pk).update(
        status=ActionCardVersion.Status.APPROVED, approved_at=at(prev_day)
    )
    v2 = ActionCardVersion.objects.create(
        card=card,
        number=2,
        status=ActionCardVersion.Status.APPROVED,
        title=v1.title,
        signs=v1.signs,
        steps=v1.steps,
        review_date=v1.review_date,
        approved_at=at(NOW.start),
    )
    type(card).objects.filter(pk=card.pk).update(current_version=v2)
    CardDistribution.objects.create(
        version=v1, org_unit=school, quantity=20, handed_out_on=prev_day
    )
    CardDistribution.objects.create(version=v2, org_unit=gym, quantity=10, handed_out_on=NOW.start)

    course = course_make(catalogue_make())
    revision = course.latest_revision
    learners = [(person, prev_day, n != 5) for n, person in enumerate(teachers)]
    newcomer = PersonFactory(name="Ny lærer", org_unit=school)
    learners += [(newcomer, NOW.start, True), (foreigner, prev_day, True)]
    for n, (person, day, passed) in enumerate(learners):
        enrolment = Enrolment.objects.create(person=person, course=course, started_at=at(day, 8))
        attempt = QuizAttempt.objects.create(
            enrolment=enrolment,
            number=1,
            revision=revision,
            started_at=at(day, 9),
            submitted_at=at(day, 9),
            score=100 if passed else 0,
            passed=passed,
        )
        if passed:
            Completion.objects.create(
                enrolment=enrolment,
                attempt=attempt,
                revision=revision,
                completed_on=day,
                certificate_code=f"TEST{n:04d}",
            )

    from tests.newsletters.conftest import edition_make

    edition = edition_make()
    send = Send.objects.create(
        edition=edition, org_unit=hj, status=Send.Status.SENT, started_at=at(prev_day)
    )
    for n, person in enumerate(teachers):
        Delivery.objects.create(
            send=send,
            person=person,
            email=f"l{n}@example.dk",
            status=Delivery.Status.FAILED if n == 5 else Delivery.Status.SENT,
            sent_at=None if n == 5 else at(prev_day),
        )
    fr_send = Send.objects.create(
        edition=edition, org_unit=fr, status=Send.Status.SENT, started_at=at(prev_day)
    )
    Delivery.objects.create(
        send=fr_send,
        person=foreigner,
        email="f@example.dk",
        status=Delivery.Status.SENT,
        sent_at=at(prev_day),
    )

    feedback = [1, 2, 3, 4, 10, None, None]
    for n in range(7):
        concern = Concern.objects.create(
            infohus=hj,
            reporter_kind=Concern.ReporterKind.STAFF if n < 5 else Concern.ReporterKind.CITIZEN,
            reporter_unit=school if n < 5 else None,
            age_group=Concern.AgeGroup.UNDER_18 if n < 4 else Concern.AgeGroup.ADULT,
            description="Tekst",
            route=(Concern.Route.COORDINATORS if n < 6 else Concern.Route.POLICE_REPRESENTATIVE),
            outcome=Concern.Outcome.ADVICE if n < 5 else "",
            submission=uuid.uuid4(),
        )
        Concern.objects.filter(pk=concern.pk).update(
            created_at=at(prev_day),
            feedback_on=prev_day + feedback[n] * DAY if feedback[n] else None,
        )
    Concern.objects.create(
        infohus=fr,
        reporter_kind=Concern.ReporterKind.CITIZEN,
        age_group=Concern.AgeGroup.ADULT,
        description="Tekst",
        route=Concern.Route.COORDINATORS,
        submission=uuid.uuid4(),
    )
    return {"tree": {**tree, **extra}, "teachers": teachers, "card": card}
