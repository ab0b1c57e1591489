"""Who may do what with meetings, meeting requests, bookings, attendance and Action Cards.

The rules of this app, built only from the core policy's primitives (lms.people.policy): its
actions and what each role holds of them are registered with the core from AttendanceConfig.ready()
(register), so `policy.can(user, Action.MEETING_VIEW, unit)` answers like any core action.

A meeting is scoped by its organising unit (org_unit) and aimed at its audience: audience_units
(M2M, each covers its subtree), institution, job_categories (M2M, empty = every category). A card
is scoped by its owning Infohus (card.org_unit), a distribution by the place holding the copies
(distribution.org_unit).
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from functools import cache

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.utils import timezone

from attendance.models import Meeting, Registration
from lms.bounds import CUTOFF_HOURS
from lms.people import policy
from lms.people.models import OrgUnit, Person, Role, User


class Action(StrEnum):
    MEETING_VIEW = "meeting.view"
    MEETING_MANAGE = "meeting.manage"
    # Ask the Infohus for a meeting for a unit (answering a request needs MEETING_MANAGE there).
    MEETING_REQUEST = "meeting.request"
    # Book seats for named people of one's area (an institution coordinator for their staff).
    MEETING_BOOK = "meeting.book"
    ACTIONCARD_VIEW = "actioncard.view"
    ACTIONCARD_MANAGE = "actioncard.manage"
    ACTIONCARD_APPROVE = "actioncard.approve"
    DISTRIBUTION_VIEW = "distribution.view"
    DISTRIBUTION_RECORD = "distribution.record"


# What the staff roles other than the coordinator hold, within the subtree of the unit they are
# assigned to. Coordinators hold every action: they manage meetings organised in their area, and
# write, approve and hand out the cards of their Infohus.
GRANTS: dict[Role, frozenset[Action]] = {
    # Look at the meetings organised in, or aimed at, their area, without the registrations; ask
    # for meetings for their own units. How many cards reached which place is an aggregate
    # without personal data.
    Role.DEPARTMENT_CONTACT: frozenset(
        {Action.MEETING_VIEW, Action.MEETING_REQUEST, Action.DISTRIBUTION_VIEW}
    ),
    # An institution coordinator also books seats for the named staff of their institution (they
    # manage that roster already).
    Role.INSTITUTION_COORDINATOR: frozenset(
        {
            Action.MEETING_VIEW,
            Action.MEETING_REQUEST,
            Action.MEETING_BOOK,
            Action.DISTRIBUTION_VIEW,
        }
    ),
    Role.STEERING_GROUP: frozenset({Action.MEETING_VIEW, Action.DISTRIBUTION_VIEW}),
}


def register() -> None:
    """Tell the core policy this app's actions and grants (AttendanceConfig.ready())."""
    policy.actions_register(actions=Action)
    for role, actions in GRANTS.items():
        policy.grants_add(role=role, actions=actions)


def _meeting_audience_q(model, person: Person) -> Q:
    """Meetings whose audience holds `person`: an audience unit or the institution is the
    person's unit or above it, and the job category matches when the meeting names any."""
    ancestors = OrgUnit.ancestor_paths(person.org_unit.path)
    units = model.audience_units.through.objects.filter(
        meeting=OuterRef("pk"), orgunit__path__in=ancestors
    )
    categories = model.job_categories.through.objects.filter(meeting=OuterRef("pk"))
    job_match = ~Exists(categories)
    if person.job_category_id is not None:
        job_match |= Exists(categories.filter(jobcategory_id=person.job_category_id))
    return (Exists(units) | Q(institution__path__in=ancestors)) & job_match


def _meeting_staff_view_q(model, user) -> Q:
    """Meetings organised in, or aimed at, a unit in the user's MEETING_VIEW scope."""
    paths = policy.scope_paths(user, Action.MEETING_VIEW)
    if not paths:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for path in paths:
        aimed = model.audience_units.through.objects.filter(
            meeting=OuterRef("pk"), orgunit__path__startswith=path
        )
        q |= (
            Q(org_unit__path__startswith=path)
            | Q(institution__path__startswith=path)
            | Exists(aimed)
        )
    return q


def meetings_managed_by(user, meetings: QuerySet) -> QuerySet:
    """The meetings (drafts included) that `user` may change: organised within their scope."""
    if not getattr(user, "is_active", False):
        return meetings.none()
    return meetings.filter(policy.scope_q(user, Action.MEETING_MANAGE, "org_unit__path"))


def meetings_visible_to(user, meetings: QuerySet) -> QuerySet:
    """The meetings of `meetings` that `user` may see.

    Managers see every meeting they manage, drafts included. Nobody else sees a draft. Staff see
    the meetings organised in or aimed at their MEETING_VIEW scope; a person sees the meetings
    whose audience they are in, and any meeting they hold a live registration for (the audience
    may have changed since they signed up).
    """
    if not getattr(user, "is_active", False):
        return meetings.none()
    if policy.is_superuser(user):
        return meetings
    model = meetings.model
    shown = _meeting_staff_view_q(model, user)
    person = policy.person_of(user)
    if person is not None:
        registrations = model._meta.get_field("registrations").related_model.objects.filter(
            meeting=OuterRef("pk"), person=person, status__in=Registration.LIVE
        )
        shown |= _meeting_audience_q(model, person) | Exists(registrations)
    manage = policy.scope_q(user, Action.MEETING_MANAGE, "org_unit__path")
    return meetings.filter(manage | (~Q(status=Meeting.Status.DRAFT) & shown))


def meetings_in_staff_view(user, meetings: QuerySet) -> QuerySet:
    """The meetings `user` sees in the admin by their roles: those they manage (drafts
    included), and those organised in or aimed at their MEETING_VIEW scope (no drafts)."""
    if not getattr(user, "is_active", False):
        return meetings.none()
    if policy.is_superuser(user):
        return meetings
    manage = policy.scope_q(user, Action.MEETING_MANAGE, "org_unit__path")
    staff = _meeting_staff_view_q(meetings.model, user)
    return meetings.filter(manage | (~Q(status=Meeting.Status.DRAFT) & staff))


def can_view_meeting(user, meeting) -> bool:
    """One query; the same rule as meetings_visible_to by construction."""
    return meetings_visible_to(user, type(meeting)._default_manager.filter(pk=meeting.pk)).exists()


def can_manage_meeting(user, meeting) -> bool:
    return policy.can(user, Action.MEETING_MANAGE, meeting.org_unit)


def person_in_meeting_audience(person: Person, meeting) -> bool:
    """_meeting_audience_q for one person and one meeting, by their ids: one query, and no read
    of the person's unit first (a sign-up asks it for every click; the ORM's compilation of the
    filter cost more CPU than the rest of the sign-up). tests/attendance/test_audience.py holds it
    to _meeting_audience_q case by case."""
    if not person.active:
        return False
    with connection.cursor() as cursor:
        cursor.execute(_audience_sql(), {"meeting": meeting.pk, "person": person.pk})
        return cursor.fetchone() is not None


def own_sign_up_audience_only(user, *, meeting, person: Person) -> bool:
    """True when may_register_person(user, meeting=meeting, person=person) asks nothing more than
    person_in_meeting_audience(person, meeting): an active user signs up their own active roster
    entry for a meeting open for sign-up now. A caller that writes the sign-up in one statement
    may then ask the audience inside it (audience_condition_sql()) instead of in a query of its
    own; when that says no, may_register_person would have said no."""
    return (
        getattr(user, "is_active", False)
        and person.user_id == user.pk
        and person.active
        and meeting_open_for_sign_up(meeting)
    )


@cache
def audience_condition_sql() -> str:
    """person_in_meeting_audience as an SQL condition on the parameters %(meeting)s and
    %(person)s, for a statement of a caller's (the sign-up's): the same rule, the same SQL."""
    return f"EXISTS ({_audience_sql()})"


@cache
def _audience_sql() -> str:
    """The rule of _meeting_audience_q in SQL: an audience unit or the institution is the person's
    unit or above it (its tree path a prefix of the unit's), and the job category matches when the
    meeting names any."""
    table = connection.ops.quote_name
    units = Meeting.audience_units.through._meta
    categories = Meeting.job_categories.through._meta
    return f"""
        SELECT 1 FROM {table(Meeting._meta.db_table)} m, {table(Person._meta.db_table)} p
        JOIN {table(OrgUnit._meta.db_table)} pu ON pu.id = p.org_unit_id
        WHERE m.id = %(meeting)s AND p.id = %(person)s AND (
            EXISTS (
                SELECT 1 FROM {table(units.db_table)} au
                JOIN {table(OrgUnit._meta.db_table)} o ON o.id = au.orgunit_id
                WHERE au.meeting_id = m.id AND substr(pu.path, 1, length(o.path)) = o.path
            ) OR EXISTS (
                SELECT 1 FROM {table(OrgUnit._meta.db_table)} i
                WHERE i.id = m.institution_id AND substr(pu.path, 1, length(i.path)) = i.path
            )
        ) AND (
            NOT EXISTS (
                SELECT 1 FROM {table(categories.db_table)} jc WHERE jc.meeting_id = m.id
            ) OR EXISTS (
                SELECT 1 FROM {table(categories.db_table)} jc
                WHERE jc.meeting_id = m.id AND jc.jobcategory_id = p.job_category_id
            )
        )
    """


def meeting_open_for_sign_up(meeting, *, now=None) -> bool:
    now = now or timezone.now()
    return meeting.status == Meeting.Status.PUBLISHED and now < meeting.starts_at


def can_sign_up(user, meeting, *, person: Person | None = None) -> bool:
    """A person signs themselves up: published meeting, before it starts, in its audience.
    `person`: the user's roster entry when the caller holds it already (no read)."""
    if person is None or person.user_id != user.pk or not person.active:
        person = policy.person_of(user)
    return (
        person is not None
        and meeting_open_for_sign_up(meeting)
        and person_in_meeting_audience(person, meeting)
    )


def may_register_person(user, *, meeting, person: Person) -> bool:
    """Signing up someone: oneself (can_sign_up), a manager of the meeting booking a person of
    their own area, or a booker of seats booking a colleague they may book (may_book_person)."""
    if not getattr(user, "is_active", False):
        return False
    if person.user_id == user.pk and person.active:  # the user's own entry (one per user)
        return can_sign_up(user, meeting, person=person)
    own = policy.person_of(user)
    if own is not None and own.pk == person.pk:
        return can_sign_up(user, meeting)
    if can_manage_meeting(user, meeting) and policy.can(user, policy.Action.PERSON_VIEW, person):
        return True
    return may_book_person(user, meeting=meeting, person=person)


def cancellation_deadline(meeting):
    # A meeting saved before the ranges of lms.bounds existed may hold an absurd cut-off: its
    # pages must still render (and be repaired), so the arithmetic never overflows.
    hours = min(meeting.cancellation_cutoff_hours or 0, CUTOFF_HOURS.maximum)
    try:
        return meeting.starts_at - timedelta(hours=hours)
    except OverflowError:
        return meeting.starts_at


def may_cancel_registration(user, registration, *, now=None) -> bool:
    """A person cancels their own registration until the meeting's cut-off, and so does whoever
    books seats for them (is_booker_for); a manager of the meeting at any time."""
    meeting = registration.meeting
    if can_manage_meeting(user, meeting):
        return True
    if not (is_own_registration(user, registration) or is_booker_for(user, registration)):
        return False
    return (now or timezone.now()) < cancellation_deadline(meeting)


def is_own_registration(user, registration) -> bool:
    own = policy.person_of(user)
    return own is not None and own.pk == registration.person_id


# Attendance: the meeting's facilitators take attendance, and so does whoever manages the
# meeting. A facilitator needs no role of their own for it; they reach the admin sheet only if
# their roles give them the admin (ADMIN_ACCESS).


def is_meeting_facilitator(user, meeting) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return meeting.facilitators.filter(pk=user.pk).exists()


def may_take_attendance(user, meeting) -> bool:
    """Mark attendance, add walk-ins, show the check-in QR code, import attendance."""
    if not getattr(user, "is_active", False):
        return False
    return can_manage_meeting(user, meeting) or is_meeting_facilitator(user, meeting)


def attendance_candidates(user, meeting) -> QuerySet[Person]:
    """Active people `user` may add to a meeting's attendance as walk-ins: those of their own
    roster scope, and (for anyone taking attendance) those within the organising unit, whose
    subtree holds the meeting's audience."""
    if not may_take_attendance(user, meeting):
        return Person.objects.none()
    q = policy.scope_q(user, policy.Action.PERSON_VIEW) | Q(
        org_unit__path__startswith=meeting.org_unit.path
    )
    return Person.objects.filter(q, active=True)


def walk_in_units(user, meeting) -> QuerySet[OrgUnit]:
    """Where a new external walk-in may be created: the meeting's institution, and the external
    units (institutions, partners) within the organising unit."""
    if not may_take_attendance(user, meeting):
        return OrgUnit.objects.none()
    q = Q(kind__in=OrgUnit.EXTERNAL_KINDS, path__startswith=meeting.org_unit.path)
    if meeting.institution_id is not None:
        q |= Q(pk=meeting.institution_id)
    return OrgUnit.objects.filter(q)


# A request (MeetingRequest) is scoped by the unit it is for (org_unit). Whoever holds
# MEETING_REQUEST over that unit asks and follows up (accepts or declines a proposed time,
# withdraws); whoever holds MEETING_MANAGE over it answers.


def request_units(user) -> QuerySet[OrgUnit]:
    """The units `user` may ask the Infohus for a meeting for."""
    return policy.org_units(user, Action.MEETING_REQUEST)


def requests_visible_to(user, requests: QuerySet) -> QuerySet:
    """The requests `user` may see: their own, those for units in their MEETING_REQUEST scope
    (a colleague's request for the same institution), and those they may answer."""
    if not getattr(user, "is_active", False):
        return requests.none()
    if policy.is_superuser(user):
        return requests
    return requests.filter(
        Q(requested_by=user)
        | policy.scope_q(user, Action.MEETING_REQUEST)
        | policy.scope_q(user, Action.MEETING_MANAGE)
    )


def requests_answerable_by(user, requests: QuerySet) -> QuerySet:
    """The requests `user` may answer: for a unit in their MEETING_MANAGE scope."""
    if not getattr(user, "is_active", False):
        return requests.none()
    return requests.filter(policy.scope_q(user, Action.MEETING_MANAGE))


def may_view_request(user, meeting_request) -> bool:
    if not getattr(user, "is_active", False):
        return False
    return (
        meeting_request.requested_by_id == user.pk
        or policy.can(user, Action.MEETING_REQUEST, meeting_request.org_unit)
        or policy.can(user, Action.MEETING_MANAGE, meeting_request.org_unit)
    )


def may_answer_request(user, meeting_request) -> bool:
    """Accept, propose another time, decline: a manager of meetings for the request's unit."""
    return policy.can(user, Action.MEETING_MANAGE, meeting_request.org_unit)


def may_follow_up_request(user, meeting_request) -> bool:
    """The requester's side (accept or decline a proposal, withdraw): whoever may still request
    meetings for the unit, the requester or a colleague standing in for them."""
    return policy.can(user, Action.MEETING_REQUEST, meeting_request.org_unit)


def request_answerers(meeting_request) -> QuerySet[User]:
    """Who is told of a new request: those whose roles let them answer it. A superuser without
    such a role is told only when nobody else could answer (the installation's admin is not the
    Infohus of every municipality)."""
    everyone = policy.users_with(Action.MEETING_MANAGE, obj=meeting_request.org_unit)
    by_role = everyone.filter(is_superuser=False)
    return by_role if by_role.exists() else everyone


def request_organiser(user, unit: OrgUnit) -> OrgUnit:
    """The unit that organises the meeting a request turns into: the top of `user`'s
    MEETING_MANAGE scope that holds the request's unit (the coordinator's municipality), or the
    top of the tree above the unit when the user has no such scope (the system, a superuser)."""
    for path in policy.scope_paths(user, Action.MEETING_MANAGE) if user is not None else []:
        if unit.path.startswith(path):
            return OrgUnit.objects.get(path=path)
    return OrgUnit.objects.get(path=unit.path[: OrgUnit.steplen])


# Whoever holds MEETING_BOOK over a unit (an institution coordinator over their institution, a
# coordinator over their municipality) books seats for the active people of that unit who are in
# a meeting's audience, and cancels their seats until the meeting's cut-off, like the people
# themselves could. Everything here is a lazy queryset or one query: the booking page lists every
# bookable colleague without a query per person.


def _in_meeting_audience_q(meeting, path_field: str) -> Q:
    """Rows whose unit (reached through `path_field`) lies in the meeting's audience: one of its
    audience units or its institution is that unit or above it. As one subquery."""
    above = (
        OrgUnit.objects.filter(Q(audience_meetings=meeting.pk) | Q(pk=meeting.institution_id))
        # The unit's path starts with the audience unit's path (treebeard's materialised path).
        .filter(path=Substr(OuterRef(path_field), 1, Length("path")))
    )
    return Exists(above)


def _meeting_job_q(meeting, job_field: str = "job_category_id") -> Q:
    """People whose job category the meeting is for (any, when it names none)."""
    categories = type(meeting).job_categories.through.objects.filter(meeting_id=meeting.pk)
    return ~Exists(categories) | Exists(categories.filter(jobcategory_id=OuterRef(job_field)))


def _may_book_at_all(user, meeting) -> bool:
    """The checks that need no query: an active booker, a meeting open for sign-up."""
    return (
        getattr(user, "is_active", False)
        and (policy.is_superuser(user) or bool(policy.scope_paths(user, Action.MEETING_BOOK)))
        and meeting_open_for_sign_up(meeting)
    )


def bookable_units(user, meeting) -> QuerySet[OrgUnit]:
    """The units in the user's MEETING_BOOK scope whose people are in the meeting's audience
    (job categories aside): where the user's bookable colleagues work, or a new one may be added.
    """
    if not _may_book_at_all(user, meeting):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        policy.scope_q(user, Action.MEETING_BOOK, "path"), _in_meeting_audience_q(meeting, "path")
    )


def may_book_seats(user, meeting) -> bool:
    """May `user` book seats for named colleagues at this meeting? It is published and has not
    started, and some unit in their MEETING_BOOK scope is in its audience. At most one query."""
    return _may_book_at_all(user, meeting) and bookable_units(user, meeting).exists()


def bookable_people(user, meeting) -> QuerySet[Person]:
    """The active people `user` may book for the meeting: in their MEETING_BOOK scope and in the
    meeting's audience (unit and job category). One query when evaluated."""
    if not _may_book_at_all(user, meeting):
        return Person.objects.none()
    return Person.objects.filter(
        policy.scope_q(user, Action.MEETING_BOOK),
        _in_meeting_audience_q(meeting, "org_unit__path"),
        _meeting_job_q(meeting),
        active=True,
    )


def may_book_person(user, *, meeting, person: Person) -> bool:
    return bookable_people(user, meeting).filter(pk=person.pk).exists()


def new_colleague_units(user, meeting) -> QuerySet[OrgUnit]:
    """Where a booker may add a new colleague to the roster and book them: a bookable unit
    (bookable_units) in which they also manage the roster (PERSON_MANAGE)."""
    return bookable_units(user, meeting).filter(
        policy.scope_q(user, policy.Action.PERSON_MANAGE, "path")
    )


def is_booker_for(user, registration) -> bool:
    """Does `user` book seats for the registration's person (MEETING_BOOK over their unit)?
    Whether or not the person is still active or in the audience: a booker cancels the seat of a
    colleague who has left since."""
    return policy.can(user, Action.MEETING_BOOK, registration.person)


def cards_visible_to(user, cards: QuerySet) -> QuerySet:
    """The cards of `cards` whose owning unit lies in the user's ACTIONCARD_VIEW scope."""
    if not getattr(user, "is_active", False):
        return cards.none()
    return cards.filter(policy.scope_q(user, Action.ACTIONCARD_VIEW, "org_unit__path"))


def can_card(user, action: Action, card) -> bool:
    """ACTIONCARD_VIEW / MANAGE / APPROVE over the card's owning unit."""
    return policy.can(user, action, card.org_unit)


def may_approve_card_version(user, version, *, wrote: bool) -> bool:
    """Four eyes: whoever may approve cards of the unit, except the one who wrote or edited the
    draft (`wrote`), unless they are a superuser (an installation with a single administrator)."""
    if not policy.can(user, Action.ACTIONCARD_APPROVE, version.card.org_unit):
        return False
    return policy.is_superuser(user) or not wrote


def distributions_visible_to(user, distributions: QuerySet) -> QuerySet:
    """Distributions to a place in the user's DISTRIBUTION_VIEW scope."""
    if not getattr(user, "is_active", False):
        return distributions.none()
    return distributions.filter(policy.scope_q(user, Action.DISTRIBUTION_VIEW, "org_unit__path"))
