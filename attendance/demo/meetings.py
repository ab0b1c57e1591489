"""Demo data for meetings: a season of information and dialogue meetings in the demo municipality,
so that every role finds a living platform after `make run`.

About eight meetings in the last five months (held or closed, with registrations and an attendance
sheet: mostly present, some late, excused or absent, a few walk-ins, and the competence "Kender
bekymringstegn" earned by those who came) and six in the next four months (published with
registrations, one of them full with a waiting list, one still a draft). The employee login
attended the Bagterpskolen meeting and is signed up for an upcoming one; Hjørring Gymnasium has a
meeting of its own. Dates are relative to the moment of the load.

Everything goes through attendance.services, acting "as of" the past moment each step would have
happened (their `now` parameter): published weeks before the meeting, signed up in between,
attendance taken during it, marked held after it. So the locks, the capacity rule, the access
policy and the evidence ledger are the real ones. Nobody is mailed (notifications.silenced()).

Idempotent: a demo meeting is recognised by its organising unit (the municipality) and its title,
both fixed in SEASON. A meeting that exists is left alone, whatever a coordinator did to it since
(its registrations and attendance are only ever made together with it); a missing one is built,
dated relative to that day. So a second run adds nothing, and a run after someone deleted a demo
meeting rebuilds only that one. Deterministic: one fixed random seed per meeting.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from attendance import services
from attendance.demo.cards import cards_demo_load
from attendance.demo.requests import requests_demo_load, weekday
from attendance.models import Attendance, Meeting, Registration
from attendance.notifications import meetings as notifications
from lms.competence.demo.competences import SIGNS
from lms.competence.models import Competence, Evidence
from lms.people.demo.people import (
    DEMO_LOGINS,
    MUNICIPALITY,
    POLICE_PREVENTION_OFFICER,
    demo_people,
    demo_roster,
)
from lms.people.models import JobCategory, OrgUnit, Person, User

SEED = 2026
COORDINATOR_EMAIL = "koordinator@demo.infohus.dk"
EMPLOYEE_EMAIL = "medarbejder@demo.infohus.dk"

INFO = Meeting.Kind.INFORMATION
DIALOGUE = Meeting.Kind.DIALOGUE
M = Attendance.Mark

# Shares of the attendance marks of the confirmed registrations of a past meeting.
MARK_WEIGHTS = {M.PRESENT: 82, M.LATE: 7, M.EXCUSED: 6, M.ABSENT: 5}
# Meetings are published this long before they start (or, for a meeting far ahead, a few days
# before the load).
PUBLISHED_BEFORE = dt.timedelta(days=42)

INFO_TEXT = (
    "Hvad er radikalisering og ekstremisme, og hvad er det ikke? Infohus Hjørring gennemgår "
    "bekymringstegnene, hvordan du taler med dine kolleger og din leder om en bekymring, og "
    "hvordan den videregives til Infohus – eller til politiet på 114 (112 ved akut fare). "
    "Alle deltagere får Infohusets handlekort."
)
DIALOGUE_TEXT = (
    "Et dialogmøde med udgangspunkt i jeres egne erfaringer: hvilke situationer møder I, hvad "
    "gjorde I, og hvad kunne I have brug for? Infohus Hjørrings tovholdere fra SSP og "
    "Lokalpolitiet deltager."
)


@dataclass(frozen=True)
class PlannedMeeting:
    title: str
    kind: str
    # Days from the day of the load; moved to the nearest weekday away from today.
    day: int
    start: dt.time
    minutes: int
    venue: str
    capacity: int
    audience: tuple[str, ...] = ()
    institution: str = ""
    job_categories: tuple[str, ...] = ()
    # Sign-ups as a share of the capacity (above 1: a waiting list), limited by the audience.
    fill: float = 0.8
    # Past: "held" or "closed"; upcoming: "published" or "draft".
    status: str = Meeting.Status.PUBLISHED
    # People who came without a registration (past meetings).
    walk_ins: int = 0
    # The employee login: "attended" (past) or "signed_up" (upcoming).
    employee: str = ""


PAST = [
    PlannedMeeting(
        "Informationsmøde: Tegn på radikalisering hos børn og unge",
        INFO,
        -146,
        dt.time(14, 30),
        120,
        "Lundergårdskolen, festsalen",
        50,
        audience=("HJK-BFU-LUN", "HJK-BFU-VRA"),
        fill=0.85,
        status=Meeting.Status.CLOSED,
        walk_ins=2,
    ),
    PlannedMeeting(
        "Dialogmøde: Bekymringer i socialpsykiatrien og hjemmeplejen",
        DIALOGUE,
        -125,
        dt.time(13, 0),
        90,
        "Hjørring Rådhus, mødesal 2",
        30,
        audience=("HJK-SAEH-PSY", "HJK-SAEH-HJEM"),
        fill=0.9,
        status=Meeting.Status.CLOSED,
    ),
    PlannedMeeting(
        "Informationsmøde for Jobcenter Hjørring: Ekstremisme og mistrivsel",
        INFO,
        -104,
        dt.time(9, 0),
        120,
        "Jobcenter Hjørring, kantinen",
        45,
        audience=("HJK-AU-JOB", "HJK-AU-UNGE"),
        fill=0.75,
        status=Meeting.Status.CLOSED,
        walk_ins=1,
    ),
    PlannedMeeting(
        "Informationsmøde for Lokalpolitiet: Infohus og samarbejdet med kommunen",
        INFO,
        -83,
        dt.time(10, 0),
        90,
        "Hjørring Politistation, undervisningslokalet",
        40,
        audience=("HJK-POL-NAER", "HJK-POL-PAT"),
        fill=0.7,
        status=Meeting.Status.CLOSED,
    ),
    PlannedMeeting(
        "Informationsmøde for EUC Nord: Radikalisering blandt elever",
        INFO,
        -63,
        dt.time(14, 0),
        120,
        "EUC Nord, Hjørring, mødelokale A1.12",
        50,
        institution="HJK-EUCN",
        fill=0.8,
        status=Meeting.Status.CLOSED,
    ),
    PlannedMeeting(
        "Informationsmøde for Bagterpskolen: Bekymringstegn og hvad du gør",
        INFO,
        -44,
        dt.time(15, 0),
        90,
        "Bagterpskolen, personalerummet",
        40,
        audience=("HJK-BFU-BAG",),
        # More sign-ups than seats: some stayed on the waiting list.
        fill=1.1,
        status=Meeting.Status.HELD,
        walk_ins=2,
        employee="attended",
    ),
    PlannedMeeting(
        "Dialogmøde: Gadeplan, boligsocial indsats og SSP",
        DIALOGUE,
        -26,
        dt.time(13, 0),
        120,
        "Kulturhuset Kanten, lokale 3",
        25,
        audience=("HJK-SAEH-GADE", "HJK-SAEH-BOLIG", "HJK-BFU-SSP", "HJK-BFU-KLUB-NL"),
        fill=0.9,
        status=Meeting.Status.HELD,
    ),
    PlannedMeeting(
        "Informationsmøde for Familie og Rådgivning: Når bekymringen handler om forældrene",
        INFO,
        -11,
        dt.time(9, 30),
        120,
        "Familie og Rådgivning, mødelokale 1",
        35,
        audience=("HJK-BFU-FAM", "HJK-BFU-PPR"),
        fill=0.8,
        status=Meeting.Status.HELD,
        walk_ins=1,
    ),
]

UPCOMING = [
    PlannedMeeting(
        "Informationsmøde for Hirtshals Skole: Bekymringstegn og hvad du gør",
        INFO,
        9,
        dt.time(15, 0),
        90,
        "Hirtshals Skole, personalerummet",
        30,
        audience=("HJK-BFU-HIR",),
        # Full, with a waiting list.
        fill=1.2,
    ),
    PlannedMeeting(
        "Dialogmøde for Hjørring Gymnasium: Polarisering og ekstremisme i klasserummet",
        DIALOGUE,
        23,
        dt.time(13, 0),
        120,
        "Hjørring Gymnasium, auditoriet",
        60,
        institution="HJK-HG",
        fill=0.55,
    ),
    PlannedMeeting(
        "Informationsmøde for lærere og pædagoger: Radikalisering og ekstremisme",
        INFO,
        37,
        dt.time(15, 30),
        90,
        "Hjørring Rådhus, mødesal 2",
        40,
        audience=("HJK-BFU",),
        job_categories=("TEACHER", "PEDAGOGUE"),
        fill=0.6,
        employee="signed_up",
    ),
    PlannedMeeting(
        "Dialogmøde: Unge på kanten – jobcenter, SSP og politi sammen",
        DIALOGUE,
        58,
        dt.time(10, 0),
        120,
        "Jobcenter Hjørring, mødelokale 1",
        25,
        audience=("HJK-AU-UNGE", "HJK-BFU-SSP", "HJK-POL-FOR"),
        fill=0.5,
    ),
    PlannedMeeting(
        "Informationsmøde for Social, Ældre og Handicap: Bekymringstegn hos voksne",
        INFO,
        84,
        dt.time(13, 30),
        120,
        "Handicapcenter Vendsyssel, store mødelokale",
        50,
        audience=("HJK-SAEH",),
        fill=0.25,
    ),
    PlannedMeeting(
        "Informationsmøde for Sprogcenter Hjørring og Integrationsteamet",
        INFO,
        113,
        dt.time(9, 0),
        90,
        "Sprogcenter Hjørring, lokale 12",
        30,
        audience=("HJK-AU-SPROG", "HJK-AU-INT"),
        status=Meeting.Status.DRAFT,
    ),
]
SEASON = PAST + UPCOMING

# The demo logins (and the police coordinator) are not drawn as ordinary participants: their
# registrations, where they have any, are placed on purpose.
NOT_DRAWN = {login.employee_number for login in DEMO_LOGINS} | {POLICE_PREVENTION_OFFICER[0]}


@dataclass
class AttendanceDemoResult:
    meetings_created: int = 0
    registrations_created: int = 0
    attendance_marked: int = 0
    evidence_recorded: int = 0
    requests_created: int = 0
    cards_created: int = 0
    past_meetings: list[Meeting] = field(default_factory=list)
    upcoming_meetings: list[Meeting] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.meetings_created
            or self.registrations_created
            or self.attendance_marked
            or self.evidence_recorded
            or self.requests_created
            or self.cards_created
        )

    def summary(self) -> str:
        return (
            f"{self.meetings_created} meetings, {self.registrations_created} registrations, "
            f"{self.attendance_marked} attendance marks, {self.evidence_recorded} pieces of "
            f"evidence, {self.requests_created} meeting requests, {self.cards_created} Action "
            "Card rows created"
        )


def _when(plan: PlannedMeeting, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    today = timezone.localdate(now)
    day = weekday(today + dt.timedelta(days=plan.day), step=1 if plan.day > 0 else -1)
    starts_at = timezone.make_aware(dt.datetime.combine(day, plan.start))
    return starts_at, starts_at + dt.timedelta(minutes=plan.minutes)


def _audience(
    plan: PlannedMeeting, units: dict[str, OrgUnit], roster: list[Person]
) -> list[Person]:
    """The people of the demo roster a meeting is for, in roster order. Drawn from the roster as
    generated, never from a query of the Person table: a colleague a user adds must not change
    who the demo signs up."""
    codes = plan.audience + ((plan.institution,) if plan.institution else ())
    paths = [units[code].path for code in codes]
    return [
        person
        for person in roster
        if any(person.org_unit.path.startswith(path) for path in paths)
        and (not plan.job_categories or person.job_category.code in plan.job_categories)
    ]


def _moments(rng: random.Random, start: dt.datetime, end: dt.datetime, n: int) -> list[dt.datetime]:
    """n sign-up moments between start and end, in order."""
    span = (end - start).total_seconds()
    return [start + dt.timedelta(seconds=s) for s in sorted(rng.uniform(0, span) for _ in range(n))]


def _build(
    plan: PlannedMeeting,
    index: int,
    *,
    now: dt.datetime,
    units: dict[str, OrgUnit],
    roster: list[Person],
    competence: Competence,
    coordinator: User,
    employee: User | None,
    result: AttendanceDemoResult,
) -> Meeting:
    rng = random.Random(f"{SEED}:{index}")
    starts_at, ends_at = _when(plan, now)
    meeting = services.meeting_create(
        kind=plan.kind,
        title=plan.title,
        description=INFO_TEXT if plan.kind == INFO else DIALOGUE_TEXT,
        org_unit=units[MUNICIPALITY],
        institution=units[plan.institution] if plan.institution else None,
        venue=plan.venue,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=plan.capacity,
        competence=competence,
        audience_units=[units[code] for code in plan.audience],
        job_categories=list(JobCategory.objects.filter(code__in=plan.job_categories)),
        facilitators=[coordinator],
        by=coordinator,
    )
    result.meetings_created += 1
    if plan.status == Meeting.Status.DRAFT:
        return meeting

    published_at = min(starts_at - PUBLISHED_BEFORE, now - dt.timedelta(days=2))
    meeting = services.meeting_publish(meeting=meeting, by=coordinator, now=published_at)

    audience = _audience(plan, units, roster)
    wanted = min(round(plan.capacity * plan.fill), len(audience))
    people = rng.sample(audience, wanted)
    employee_person = getattr(employee, "person", None) if employee is not None else None
    if plan.employee and employee_person is not None:
        # Among the first to sign up, so that they have a seat.
        people.insert(1, employee_person)
    signups_end = min(starts_at - dt.timedelta(hours=2), now - dt.timedelta(minutes=5))
    moments = _moments(rng, published_at, signups_end, len(people))
    # In time order, as they happened: the moment decides the place on the waiting list.
    for person, moment in zip(people, moments, strict=True):
        # The employee login signs themselves up for what is still ahead, as on the meeting's
        # page (the policy asks about self sign-up at the current time); the others, who have no
        # login, were signed up through the system.
        by = employee if person == employee_person and starts_at > now else None
        services.registration_create(meeting=meeting, person=person, by=by, now=moment)
        result.registrations_created += 1

    if starts_at > now:
        return meeting

    # The attendance sheet, filled in by the facilitator during the meeting.
    confirmed = [
        r.person
        for r in meeting.registrations.filter(status=Registration.Status.CONFIRMED)
        .select_related("person__org_unit")
        .order_by("created_at", "pk")
    ]
    marks = {
        person: rng.choices(list(MARK_WEIGHTS), list(MARK_WEIGHTS.values()))[0]
        for person in confirmed
    }
    if employee_person is not None and employee_person in marks:
        marks[employee_person] = M.PRESENT
    registered = {r.person_id for r in meeting.registrations.all()}
    others = [p for p in audience if p.pk not in registered]
    for person in rng.sample(others, min(plan.walk_ins, len(others))):
        marks[person] = M.PRESENT
    marked_at = starts_at + dt.timedelta(minutes=20)
    services.attendance_mark_many(
        meeting=meeting,
        marks=marks,
        method=Attendance.Method.ROSTER,
        by=coordinator,
        now=marked_at,
    )
    result.attendance_marked += len(marks)
    result.evidence_recorded += Evidence.objects.filter(
        source_reference=f"meeting:{meeting.pk}"
    ).count()

    meeting = services.meeting_mark_held(
        meeting=meeting, by=coordinator, now=ends_at + dt.timedelta(minutes=15)
    )
    if plan.status == Meeting.Status.CLOSED:
        meeting = services.meeting_close(meeting=meeting, by=coordinator)
    return meeting


def attendance_demo_load(*, now: dt.datetime | None = None) -> AttendanceDemoResult:
    """Needs the demo organisation, roster, logins (lms.people.demo) and competences
    (lms.competence.demo) loaded first. Then the demo meeting requests and Action Cards
    (attendance.demo.requests, attendance.demo.cards) are loaded on top of the season.

    `now` (default: the current time) is the moment the season is built around."""
    now = now or timezone.now()
    result = AttendanceDemoResult()
    with notifications.silenced(), transaction.atomic():
        municipality = OrgUnit.objects.get(code=MUNICIPALITY)
        units = {u.code: u for u in OrgUnit.objects.filter(path__startswith=municipality.path)}
        competence = Competence.objects.get(code=SIGNS)
        coordinator = User.objects.get(email__iexact=COORDINATOR_EMAIL)
        employee = (
            User.objects.select_related("person").filter(email__iexact=EMPLOYEE_EMAIL).first()
        )
        existing = {
            m.title: m
            for m in Meeting.objects.filter(
                org_unit=municipality, title__in=[plan.title for plan in SEASON]
            ).order_by("-pk")
        }
        roster: list[Person] | None = None
        built: list[Meeting] = []
        for index, plan in enumerate(SEASON):
            meeting = existing.get(plan.title)
            if meeting is None:
                if roster is None:
                    # The demo roster's active people who may be drawn, in roster order.
                    roster = demo_people(
                        e for e in demo_roster() if e.employee_number not in NOT_DRAWN
                    )
                meeting = _build(
                    plan,
                    index,
                    now=now,
                    units=units,
                    roster=roster,
                    competence=competence,
                    coordinator=coordinator,
                    employee=employee,
                    result=result,
                )
                built.append(meeting)
            (result.past_meetings if plan.day < 0 else result.upcoming_meetings).append(meeting)

        result.requests_created = requests_demo_load()
        # Copies handed out and the card of upcoming meetings: only for the meetings built now. A
        # meeting that exists is left alone, whatever a coordinator did to it since.
        result.cards_created = cards_demo_load(
            past_meetings=[m for m in built if m in result.past_meetings],
            upcoming_meetings=[m for m in built if m in result.upcoming_meetings],
            now=now,
        )
    return result
