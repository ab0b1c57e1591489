"""The access policy: the one place that answers "may this user do X to Y".

Every role is a RoleAssignment on an OrgUnit and covers that unit's whole subtree. Admin menus,
viewsets, front-end views and the auth backend all ask this module; none decides on its own.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from .models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User


class Action(StrEnum):
    ADMIN_ACCESS = "admin.access"
    ORGUNIT_VIEW = "orgunit.view"
    ORGUNIT_MANAGE = "orgunit.manage"
    PERSON_VIEW = "person.view"
    PERSON_MANAGE = "person.manage"
    PERSON_IMPORT = "person.import"
    PERSON_EXPORT = "person.export"
    JOBCATEGORY_VIEW = "jobcategory.view"
    JOBCATEGORY_MANAGE = "jobcategory.manage"
    ROLE_VIEW = "role.view"
    ROLE_MANAGE = "role.manage"
    # --- Competence ledger (lms.competence) ---
    COMPETENCE_VIEW = "competence.view"
    COMPETENCE_MANAGE = "competence.manage"
    REQUIREMENT_VIEW = "requirement.view"
    REQUIREMENT_MANAGE = "requirement.manage"
    EVIDENCE_VIEW = "evidence.view"
    EVIDENCE_RECORD = "evidence.record"
    # --- end competence ledger ---
    # --- Meetings (attendance) ---
    MEETING_VIEW = "meeting.view"
    MEETING_MANAGE = "meeting.manage"
    # Ask the Infohus for a meeting for a unit (answering a request needs MEETING_MANAGE there).
    MEETING_REQUEST = "meeting.request"
    # Book seats for named people of one's area (an institution coordinator for their staff).
    MEETING_BOOK = "meeting.book"
    # --- end meetings ---
    # --- Action Cards (attendance) ---
    ACTIONCARD_VIEW = "actioncard.view"
    ACTIONCARD_MANAGE = "actioncard.manage"
    ACTIONCARD_APPROVE = "actioncard.approve"
    DISTRIBUTION_VIEW = "distribution.view"
    DISTRIBUTION_RECORD = "distribution.record"
    # --- end Action Cards ---
    # --- courses (issue 4) ---
    # --- end courses ---
    # Newsletters (newsletters.access); here only until the action registry lands.
    NEWSLETTER_VIEW = "newsletter.view"
    NEWSLETTER_WRITE = "newsletter.write"
    NEWSLETTER_SEND = "newsletter.send"
    # --- page editing ---
    # Author the Wagtail pages (and upload images and documents) of the sites whose home page
    # belongs to a unit in scope; lms.site.editors turns it into Wagtail group permissions.
    PAGE_EDIT = "page.edit"
    # --- end page editing ---


STAFF_ROLES = frozenset(Role)

# What each role may do, within the subtree of the unit it is assigned to.
GRANTS: dict[Role, frozenset[Action]] = {
    # Job categories are one list shared by every municipality of the installation: only a
    # superuser changes them, never a municipality's coordinator.
    Role.COORDINATOR: frozenset(Action) - {Action.JOBCATEGORY_MANAGE},
    # A department contact requests meetings and follows their administration's coverage, which
    # is aggregates: no access to the named roster (data minimisation).
    Role.DEPARTMENT_CONTACT: frozenset(
        {
            Action.ADMIN_ACCESS,
            Action.ORGUNIT_VIEW,
            Action.JOBCATEGORY_VIEW,
        }
    ),
    Role.INSTITUTION_COORDINATOR: frozenset(
        {
            Action.ADMIN_ACCESS,
            Action.ORGUNIT_VIEW,
            Action.PERSON_VIEW,
            Action.PERSON_MANAGE,
            Action.PERSON_EXPORT,
            Action.JOBCATEGORY_VIEW,
        }
    ),
    # The steering group sees aggregates only: no personal data.
    Role.STEERING_GROUP: frozenset(
        {Action.ADMIN_ACCESS, Action.ORGUNIT_VIEW, Action.JOBCATEGORY_VIEW}
    ),
}

# Job categories are one list shared by every unit; their actions need a grant, not a scope.
UNSCOPED_ACTIONS = frozenset({Action.JOBCATEGORY_VIEW, Action.JOBCATEGORY_MANAGE})

# --- Competence ledger (lms.competence) ---
# Competences are shared definitions like job categories (unscoped); requirements and evidence
# are scoped by the org unit they apply to / the person's unit. The coordinator holds every
# action already (frozenset(Action) above). Others may read what their area is required to hold;
# a person's evidence is personal data, seen only by those who see the named roster (not the
# department contact nor the steering group: they get aggregates).
GRANTS[Role.DEPARTMENT_CONTACT] |= {Action.COMPETENCE_VIEW, Action.REQUIREMENT_VIEW}
GRANTS[Role.INSTITUTION_COORDINATOR] |= {
    Action.COMPETENCE_VIEW,
    Action.REQUIREMENT_VIEW,
    Action.EVIDENCE_VIEW,
}
GRANTS[Role.STEERING_GROUP] |= {Action.COMPETENCE_VIEW, Action.REQUIREMENT_VIEW}
# Reading the list of competences needs a grant, not a scope; changing one is decided by its owner
# (competence_manageable and friends below).
UNSCOPED_ACTIONS = UNSCOPED_ACTIONS | {Action.COMPETENCE_VIEW}
# --- end competence ledger ---

# --- Meetings (attendance) ---
# Coordinators manage meetings organised in their area (frozenset(Action) above); the other staff
# roles may look at the meetings organised in, or aimed at, their area, without the registrations.
GRANTS[Role.DEPARTMENT_CONTACT] |= {Action.MEETING_VIEW}
GRANTS[Role.INSTITUTION_COORDINATOR] |= {Action.MEETING_VIEW}
GRANTS[Role.STEERING_GROUP] |= {Action.MEETING_VIEW}
# Departments and institutions ask for meetings for their own units; an institution coordinator
# books seats for the named staff of their institution (they manage that roster already).
GRANTS[Role.DEPARTMENT_CONTACT] |= {Action.MEETING_REQUEST}
GRANTS[Role.INSTITUTION_COORDINATOR] |= {Action.MEETING_REQUEST, Action.MEETING_BOOK}
# --- end meetings ---

# --- Action Cards (attendance) ---
# Cards belong to an Infohus (the card's org_unit); coordinators write, approve and hand them out
# (frozenset(Action) above). How many copies reached which place is an aggregate without personal
# data: the department contact and the steering group see it for their area.
GRANTS[Role.DEPARTMENT_CONTACT] |= {Action.DISTRIBUTION_VIEW}
GRANTS[Role.INSTITUTION_COORDINATOR] |= {Action.DISTRIBUTION_VIEW}
GRANTS[Role.STEERING_GROUP] |= {Action.DISTRIBUTION_VIEW}
# --- end Action Cards ---

# Newsletters, here only until the action registry lands. Coordinators write and send them
# (frozenset(Action) above), each send only to units in their NEWSLETTER_SEND scope
# (newsletters.access). The steering group sees the sends and their counts (reach is an
# aggregate), never the per-recipient ledger.
GRANTS[Role.STEERING_GROUP] |= {Action.NEWSLETTER_VIEW}


def _assignments(user) -> list[tuple[Role, str]]:
    """(role, unit path) pairs of the user, loaded once per user object (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lms_assignments", None)
    if cached is None:
        # Someone who left keeps their account and assignments (history, a possible return), but
        # their roles stop counting the moment their roster entry is marked left. An account
        # without a roster entry (an external consultant, the installation's admin) keeps them.
        cached = [
            (Role(role), path)
            for role, path in RoleAssignment.objects.filter(user=user)
            .filter(Q(user__person__isnull=True) | Q(user__person__active=True))
            .values_list("role", "org_unit__path")
        ]
        user._lms_assignments = cached
    return cached


def forget(user) -> None:
    """Drop the per-request cache after the user's assignments change."""
    for cached in ("_lms_assignments", "_lms_regional"):
        if hasattr(user, cached):
            delattr(user, cached)


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def roles(user) -> set[Role]:
    return {role for role, _path in _assignments(user)}


def has_staff_role(user) -> bool:
    """Anyone but a plain employee: holds any role assignment, or is a superuser."""
    return _is_superuser(user) or bool(_assignments(user))


def scope_paths(user, action: Action) -> list[str]:
    """The tree paths of the units under which the user may do `action`; minimal, no overlaps."""
    paths = sorted({path for role, path in _assignments(user) if action in GRANTS[role]})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def can(user, action: Action, obj=None) -> bool:
    """May `user` do `action` (to `obj`, when given)? Without obj: anywhere at all."""
    if not getattr(user, "is_active", False):
        return False
    if _is_superuser(user):
        return True
    paths = scope_paths(user, action)
    if not paths:
        return False
    if obj is None or action in UNSCOPED_ACTIONS or isinstance(obj, JobCategory):
        return True
    path = _path_of(obj)
    return path is not None and any(path.startswith(scope) for scope in paths)


def require(by, action: Action, obj=None, *, field: str | None = None) -> None:
    """For services: refuse with a ValidationError when an acting user is given and `can` says no.

    `by=None` is the system itself (tasks, imports from the command line, the demo loader)."""
    if by is not None and not can(by, action, obj):
        message = _("You do not have permission to do this here.")
        raise ValidationError({field: message} if field else message, code="permission_denied")


def _path_of(obj) -> str | None:
    if isinstance(obj, OrgUnit):
        return obj.path
    if isinstance(obj, Person | RoleAssignment):
        return obj.org_unit.path if obj.org_unit_id else None
    raise TypeError(f"The access policy does not know {type(obj).__name__}")


def scope_q(user, action: Action, path_field: str = "org_unit__path") -> Q:
    """A filter that keeps the rows in the user's scope for `action`.

    `path_field` names the OrgUnit path reached from the filtered model ("path" for OrgUnit).
    """
    if _is_superuser(user):
        return Q()
    paths = scope_paths(user, action) if getattr(user, "is_active", False) else []
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def org_units(user, action: Action) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_q(user, action, "path"))


def people(user, action: Action) -> QuerySet[Person]:
    return Person.objects.filter(scope_q(user, action))


def role_assignments(user, action: Action) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(scope_q(user, action))


def may_assign_role(user, *, role: Role, org_unit: OrgUnit) -> bool:
    """A user may hand out any role, but only over a unit inside their own ROLE_MANAGE scope."""
    return can(user, Action.ROLE_MANAGE, org_unit)


def may_revoke_role(user, *, assignment: RoleAssignment) -> bool:
    """Revoking follows the same rule as granting: the unit must be inside the ROLE_MANAGE scope."""
    return can(user, Action.ROLE_MANAGE, assignment.org_unit)


def may_create_root_unit(user) -> bool:
    """A new top of the tree (a municipality, a regional Infohus) is outside every scope."""
    return _is_superuser(user)


def may_move_org_unit(user, *, unit: OrgUnit, new_parent: OrgUnit | None) -> bool:
    """Both the unit and its new parent must be inside the user's ORGUNIT_MANAGE scope."""
    if not can(user, Action.ORGUNIT_MANAGE, unit):
        return False
    if new_parent is None:
        return may_create_root_unit(user)
    return can(user, Action.ORGUNIT_MANAGE, new_parent)


def assignable_users(user) -> QuerySet[User]:
    """The accounts `user` may hand a role to: those whose roster entry is in their scope.

    A coordinator never sees (or picks) an account that belongs to someone outside their scope.
    """
    active = User.objects.filter(is_active=True)
    if _is_superuser(user):
        return active
    return active.filter(
        pk__in=Person.objects.filter(scope_q(user, Action.ROLE_MANAGE), user__isnull=False).values(
            "user_id"
        )
    )


def users_with(action: Action, *, obj=None) -> QuerySet[User]:
    """Active users who may do `action` (to `obj`, when given): the inverse of `can`."""
    granting = [role for role, actions in GRANTS.items() if action in actions]
    # Roles of someone whose roster entry has left count for nothing, as in _assignments().
    by_role = Q(role_assignments__role__in=granting) & (
        Q(person__isnull=True) | Q(person__active=True)
    )
    if obj is not None and action not in UNSCOPED_ACTIONS and not isinstance(obj, JobCategory):
        path = _path_of(obj)
        if path is None:
            by_role = Q(pk__in=[])
        else:
            by_role &= Q(role_assignments__org_unit__path__in=OrgUnit.ancestor_paths(path))
    return User.objects.filter(Q(is_superuser=True) | by_role, is_active=True).distinct()


# --- Meetings (attendance) ---------------------------------------------------------------------
# The core imports no feature app: these functions take a meeting (or a queryset of meetings) and
# use only its fields: org_unit (the organising unit), audience_units (M2M, each covers its
# subtree), institution, job_categories (M2M, empty = every category), status, starts_at,
# cancellation_cutoff_hours and the reverse relation `registrations`.

MEETING_DRAFT = "draft"
MEETING_PUBLISHED = "published"
REGISTRATION_LIVE = ("confirmed", "waiting")


def person_of(user) -> Person | None:
    """The roster entry of a signed-in user (with its unit), loaded once per user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_lms_person"):
        user._lms_person = (
            Person.objects.select_related("org_unit").filter(user=user, active=True).first()
        )
    return user._lms_person


def _meeting_audience_q(model, person: Person) -> Q:
    """Meetings whose audience holds `person`: an audience unit or the institution is the
    person's unit or above it, and the job category matches when the meeting names any."""
    from django.db.models import Exists, OuterRef

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
    from django.db.models import Exists, OuterRef

    paths = scope_paths(user, Action.MEETING_VIEW)
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
    return meetings.filter(scope_q(user, Action.MEETING_MANAGE, "org_unit__path"))


def meetings_visible_to(user, meetings: QuerySet) -> QuerySet:
    """The meetings of `meetings` that `user` may see.

    Managers see every meeting they manage, drafts included. Nobody else sees a draft. Staff see
    the meetings organised in or aimed at their MEETING_VIEW scope; a person sees the meetings
    whose audience they are in, and any meeting they hold a live registration for (the audience
    may have changed since they signed up).
    """
    if not getattr(user, "is_active", False):
        return meetings.none()
    if _is_superuser(user):
        return meetings
    from django.db.models import Exists, OuterRef

    model = meetings.model
    shown = _meeting_staff_view_q(model, user)
    person = person_of(user)
    if person is not None:
        registrations = model._meta.get_field("registrations").related_model.objects.filter(
            meeting=OuterRef("pk"), person=person, status__in=REGISTRATION_LIVE
        )
        shown |= _meeting_audience_q(model, person) | Exists(registrations)
    manage = scope_q(user, Action.MEETING_MANAGE, "org_unit__path")
    return meetings.filter(manage | (~Q(status=MEETING_DRAFT) & shown))


def meetings_in_staff_view(user, meetings: QuerySet) -> QuerySet:
    """The meetings `user` sees in the admin by their roles: those they manage (drafts
    included), and those organised in or aimed at their MEETING_VIEW scope (no drafts)."""
    if not getattr(user, "is_active", False):
        return meetings.none()
    if _is_superuser(user):
        return meetings
    manage = scope_q(user, Action.MEETING_MANAGE, "org_unit__path")
    staff = _meeting_staff_view_q(meetings.model, user)
    return meetings.filter(manage | (~Q(status=MEETING_DRAFT) & staff))


def can_view_meeting(user, meeting) -> bool:
    """One query; the same rule as meetings_visible_to by construction."""
    return meetings_visible_to(user, type(meeting)._default_manager.filter(pk=meeting.pk)).exists()


def can_manage_meeting(user, meeting) -> bool:
    return can(user, Action.MEETING_MANAGE, meeting.org_unit)


def person_in_meeting_audience(person: Person, meeting) -> bool:
    if not person.active:
        return False
    model = type(meeting)
    return model._default_manager.filter(_meeting_audience_q(model, person), pk=meeting.pk).exists()


def meeting_open_for_sign_up(meeting, *, now=None) -> bool:
    from django.utils import timezone

    now = now or timezone.now()
    return meeting.status == MEETING_PUBLISHED and now < meeting.starts_at


def can_sign_up(user, meeting) -> bool:
    """A person signs themselves up: published meeting, before it starts, in its audience."""
    person = person_of(user)
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
    own = person_of(user)
    if own is not None and own.pk == person.pk:
        return can_sign_up(user, meeting)
    if can_manage_meeting(user, meeting) and can(user, Action.PERSON_VIEW, person):
        return True
    return may_book_person(user, meeting=meeting, person=person)


def cancellation_deadline(meeting):
    from datetime import timedelta

    # A meeting saved before the ranges of lms.bounds existed may hold an absurd cut-off: its
    # pages must still render (and be repaired), so the arithmetic never overflows.
    from lms.bounds import CUTOFF_HOURS

    hours = min(meeting.cancellation_cutoff_hours or 0, CUTOFF_HOURS.maximum)
    try:
        return meeting.starts_at - timedelta(hours=hours)
    except OverflowError:
        return meeting.starts_at


def may_cancel_registration(user, registration, *, now=None) -> bool:
    """A person cancels their own registration until the meeting's cut-off, and so does whoever
    books seats for them (is_booker_for); a manager of the meeting at any time."""
    from django.utils import timezone

    meeting = registration.meeting
    if can_manage_meeting(user, meeting):
        return True
    if not (is_own_registration(user, registration) or is_booker_for(user, registration)):
        return False
    return (now or timezone.now()) < cancellation_deadline(meeting)


def is_own_registration(user, registration) -> bool:
    own = person_of(user)
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
    q = scope_q(user, Action.PERSON_VIEW) | Q(org_unit__path__startswith=meeting.org_unit.path)
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


# --- meeting requests ----------------------------------------------------------------------------
# A request (attendance.MeetingRequest) is scoped by the unit it is for (org_unit). Whoever holds
# MEETING_REQUEST over that unit asks and follows up (accepts or declines a proposed time,
# withdraws); whoever holds MEETING_MANAGE over it answers. Like the meeting functions above,
# these use only the request's fields: org_unit, requested_by_id, handled_by_id, status.

REQUEST_OPEN = ("submitted", "proposed")


def request_units(user) -> QuerySet[OrgUnit]:
    """The units `user` may ask the Infohus for a meeting for."""
    return org_units(user, Action.MEETING_REQUEST)


def requests_visible_to(user, requests: QuerySet) -> QuerySet:
    """The requests `user` may see: their own, those for units in their MEETING_REQUEST scope
    (a colleague's request for the same institution), and those they may answer."""
    if not getattr(user, "is_active", False):
        return requests.none()
    if _is_superuser(user):
        return requests
    return requests.filter(
        Q(requested_by=user)
        | scope_q(user, Action.MEETING_REQUEST)
        | scope_q(user, Action.MEETING_MANAGE)
    )


def requests_answerable_by(user, requests: QuerySet) -> QuerySet:
    """The requests `user` may answer: for a unit in their MEETING_MANAGE scope."""
    if not getattr(user, "is_active", False):
        return requests.none()
    return requests.filter(scope_q(user, Action.MEETING_MANAGE))


def may_view_request(user, meeting_request) -> bool:
    if not getattr(user, "is_active", False):
        return False
    return (
        meeting_request.requested_by_id == user.pk
        or can(user, Action.MEETING_REQUEST, meeting_request.org_unit)
        or can(user, Action.MEETING_MANAGE, meeting_request.org_unit)
    )


def may_answer_request(user, meeting_request) -> bool:
    """Accept, propose another time, decline: a manager of meetings for the request's unit."""
    return can(user, Action.MEETING_MANAGE, meeting_request.org_unit)


def may_follow_up_request(user, meeting_request) -> bool:
    """The requester's side (accept or decline a proposal, withdraw): whoever may still request
    meetings for the unit, the requester or a colleague standing in for them."""
    return can(user, Action.MEETING_REQUEST, meeting_request.org_unit)


def request_answerers(meeting_request) -> QuerySet[User]:
    """Who is told of a new request: those whose roles let them answer it. A superuser without
    such a role is told only when nobody else could answer (the installation's admin is not the
    Infohus of every municipality)."""
    everyone = users_with(Action.MEETING_MANAGE, obj=meeting_request.org_unit)
    by_role = everyone.filter(is_superuser=False)
    return by_role if by_role.exists() else everyone


def request_organiser(user, unit: OrgUnit) -> OrgUnit:
    """The unit that organises the meeting a request turns into: the top of `user`'s
    MEETING_MANAGE scope that holds the request's unit (the coordinator's municipality), or the
    top of the tree above the unit when the user has no such scope (the system, a superuser)."""
    for path in scope_paths(user, Action.MEETING_MANAGE) if user is not None else []:
        if unit.path.startswith(path):
            return OrgUnit.objects.get(path=path)
    return OrgUnit.objects.get(path=unit.path[: OrgUnit.steplen])


# --- end meeting requests ---

# --- booking seats for named staff ---------------------------------------------------------------
# Whoever holds MEETING_BOOK over a unit (an institution coordinator over their institution, a
# coordinator over their municipality) books seats for the active people of that unit who are in
# a meeting's audience, and cancels their seats until the meeting's cut-off, like the people
# themselves could. Everything here is a lazy queryset or one query: the booking page lists every
# bookable colleague without a query per person.


def _in_meeting_audience_q(meeting, path_field: str) -> Q:
    """Rows whose unit (reached through `path_field`) lies in the meeting's audience: one of its
    audience units or its institution is that unit or above it. As one subquery."""
    from django.db.models import Exists, OuterRef
    from django.db.models.functions import Length, Substr

    above = (
        OrgUnit.objects.filter(Q(audience_meetings=meeting.pk) | Q(pk=meeting.institution_id))
        # The unit's path starts with the audience unit's path (treebeard's materialised path).
        .filter(path=Substr(OuterRef(path_field), 1, Length("path")))
    )
    return Exists(above)


def _meeting_job_q(meeting, job_field: str = "job_category_id") -> Q:
    """People whose job category the meeting is for (any, when it names none)."""
    from django.db.models import Exists, OuterRef

    categories = type(meeting).job_categories.through.objects.filter(meeting_id=meeting.pk)
    return ~Exists(categories) | Exists(categories.filter(jobcategory_id=OuterRef(job_field)))


def _may_book_at_all(user, meeting) -> bool:
    """The checks that need no query: an active booker, a meeting open for sign-up."""
    return (
        getattr(user, "is_active", False)
        and (_is_superuser(user) or bool(scope_paths(user, Action.MEETING_BOOK)))
        and meeting_open_for_sign_up(meeting)
    )


def bookable_units(user, meeting) -> QuerySet[OrgUnit]:
    """The units in the user's MEETING_BOOK scope whose people are in the meeting's audience
    (job categories aside): where the user's bookable colleagues work, or a new one may be added.
    """
    if not _may_book_at_all(user, meeting):
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(
        scope_q(user, Action.MEETING_BOOK, "path"), _in_meeting_audience_q(meeting, "path")
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
        scope_q(user, Action.MEETING_BOOK),
        _in_meeting_audience_q(meeting, "org_unit__path"),
        _meeting_job_q(meeting),
        active=True,
    )


def may_book_person(user, *, meeting, person: Person) -> bool:
    return bookable_people(user, meeting).filter(pk=person.pk).exists()


def new_colleague_units(user, meeting) -> QuerySet[OrgUnit]:
    """Where a booker may add a new colleague to the roster and book them: a bookable unit
    (bookable_units) in which they also manage the roster (PERSON_MANAGE)."""
    return bookable_units(user, meeting).filter(scope_q(user, Action.PERSON_MANAGE, "path"))


def is_booker_for(user, registration) -> bool:
    """Does `user` book seats for the registration's person (MEETING_BOOK over their unit)?
    Whether or not the person is still active or in the audience: a booker cancels the seat of a
    colleague who has left since."""
    return can(user, Action.MEETING_BOOK, registration.person)


# --- end booking ---

# --- Action Cards --------------------------------------------------------------------------------
# A card is scoped by its owning Infohus (card.org_unit), a distribution by the place holding the
# copies (distribution.org_unit). These take the rows duck-typed: the core imports no feature app.


def cards_visible_to(user, cards: QuerySet) -> QuerySet:
    """The cards of `cards` whose owning unit lies in the user's ACTIONCARD_VIEW scope."""
    if not getattr(user, "is_active", False):
        return cards.none()
    return cards.filter(scope_q(user, Action.ACTIONCARD_VIEW, "org_unit__path"))


def can_card(user, action: Action, card) -> bool:
    """ACTIONCARD_VIEW / MANAGE / APPROVE over the card's owning unit."""
    return can(user, action, card.org_unit)


def may_approve_card_version(user, version, *, wrote: bool) -> bool:
    """Four eyes: whoever may approve cards of the unit, except the one who wrote or edited the
    draft (`wrote`), unless they are a superuser (an installation with a single administrator)."""
    if not can(user, Action.ACTIONCARD_APPROVE, version.card.org_unit):
        return False
    return _is_superuser(user) or not wrote


def distributions_visible_to(user, distributions: QuerySet) -> QuerySet:
    """Distributions to a place in the user's DISTRIBUTION_VIEW scope."""
    if not getattr(user, "is_active", False):
        return distributions.none()
    return distributions.filter(scope_q(user, Action.DISTRIBUTION_VIEW, "org_unit__path"))


# --- end Action Cards ---

# --- courses (issue 4) ---------------------------------------------------------------------------
# A course page (courses.CoursePage) is for an audience like a meeting's: audience_units (M2M, each
# covers its subtree; none = everyone) and job_categories (M2M, none = every category). Like the
# meeting functions, these take the rows duck-typed: the core imports no feature app.


def _course_audience_q(model, person: Person) -> Q:
    """Courses whose audience holds `person`, as Exists subqueries (one query however many)."""
    from django.db.models import Exists, OuterRef

    units = model.audience_units.through.objects.filter(coursepage=OuterRef("pk"))
    categories = model.job_categories.through.objects.filter(coursepage=OuterRef("pk"))
    unit_match = ~Exists(units) | Exists(
        units.filter(orgunit__path__in=OrgUnit.ancestor_paths(person.org_unit.path))
    )
    job_match = ~Exists(categories)
    if person.job_category_id is not None:
        job_match |= Exists(categories.filter(jobcategory_id=person.job_category_id))
    return unit_match & job_match


def courses_for_person(person: Person | None, courses: QuerySet) -> QuerySet:
    """The live courses of `courses` that `person` (an active roster entry) may take."""
    if person is None or not person.active:
        return courses.none()
    return courses.filter(_course_audience_q(courses.model, person), live=True)


def person_may_take_course(person: Person | None, course) -> bool:
    """One query: the course is live and `person` is active and in its audience."""
    if person is None or not course.live:
        return False
    return courses_for_person(person, type(course)._default_manager.filter(pk=course.pk)).exists()


def may_take_course(user, course) -> bool:
    """A signed-in user takes a course as their own active roster entry, in its audience."""
    if not getattr(user, "is_active", False):
        return False
    return person_may_take_course(person_of(user), course)


def is_own_enrolment(user, enrolment) -> bool:
    """A learner's progress, attempts and results are theirs alone on the learning pages."""
    own = person_of(user)
    return own is not None and own.pk == enrolment.person_id


# --- end courses ---

# --- certificates, recertification, team (issue 4) ------------------------------------------------
# A certificate (a course completion) and a piece of evidence are the person's own: they, and staff
# who may see that person's evidence (EVIDENCE_VIEW over their unit), may open them. A manager
# (the user linked to the Person that others name as `manager`) sees their active direct reports'
# status per required competence, and nobody else's: no role needed, and no role widens it.


def may_view_person_evidence(user, person: Person) -> bool:
    """The person themselves, or staff with EVIDENCE_VIEW over the person's unit."""
    if not getattr(user, "is_active", False):
        return False
    own = person_of(user)
    if own is not None and own.pk == person.pk:
        return True
    return can(user, Action.EVIDENCE_VIEW, person)


def team_members(user) -> QuerySet[Person]:
    """The active, not anonymised direct reports of the user's own (active) roster entry."""
    own = person_of(user) if getattr(user, "is_active", False) else None
    if own is None:
        return Person.objects.none()
    return Person.objects.filter(manager=own, active=True, anonymised_at__isnull=True)


def may_view_team(user) -> bool:
    """Someone who manages at least one active person. One query at most."""
    return team_members(user).exists()


# --- end certificates, recertification, team ---

# --- page editing --------------------------------------------------------------------------------
# Coordinators hold PAGE_EDIT already (frozenset(Action) above); no other role writes pages.
# Wagtail checks pages and collections against groups, not against this module, so lms.site.editors
# keeps one group per site whose members are role_holders_by_unit(PAGE_EDIT, ...): the batched
# inverse of `can` below, read in one query for every site at once.


def role_holders_by_unit(
    action: Action, *, units: list[OrgUnit], user_ids=None
) -> dict[int, set[int]]:
    """For each unit, the ids of the users whose roles let them do `action` there.

    The same rule as users_with(action, obj=unit), superusers aside (they need no role): an
    assignment granting `action` on the unit or above it, held by an active user whose roster
    entry has not left. `user_ids` limits the answer to those users. One query.
    """
    granting = [role for role, actions in GRANTS.items() if action in actions]
    result: dict[int, set[int]] = {unit.pk: set() for unit in units}
    if not units or not granting:
        return result
    ancestors = {path for unit in units for path in OrgUnit.ancestor_paths(unit.path)}
    rows = RoleAssignment.objects.filter(
        Q(user__person__isnull=True) | Q(user__person__active=True),
        role__in=granting,
        org_unit__path__in=sorted(ancestors),
        user__is_active=True,
        user__is_superuser=False,
    )
    if user_ids is not None:
        rows = rows.filter(user_id__in=sorted(user_ids))
    holders = list(rows.values_list("user_id", "org_unit__path").distinct())
    for unit in units:
        result[unit.pk] = {user for user, path in holders if unit.path.startswith(path)}
    return result


# --- end page editing ---


# --- competence ownership -------------------------------------------------------------------------
# A competence (lms.competence.Competence, duck-typed: owner_id, owner) is a municipality's own
# (owner = that unit) or shared by all (owner None). Renaming or retiring one changes the
# requirement status of every unit that requires it, so its owner's coordinators change it, and a
# shared one only a superuser or a regional Infohus: a COMPETENCE_MANAGE assignment over a unit
# whose subtree holds several municipalities (the one mechanism for every level, see DESIGN.md).
# A requirement may name a shared competence or one owned by its unit or a unit above it.


def manages_shared_competences(user) -> bool:
    """A superuser, or a regional Infohus: COMPETENCE_MANAGE over several municipalities. One
    query at most, once per user object."""
    if not getattr(user, "is_active", False):
        return False
    if _is_superuser(user):
        return True
    cached = getattr(user, "_lms_regional", None)
    if cached is None:
        paths = scope_paths(user, Action.COMPETENCE_MANAGE)
        cached = False
        if paths:
            q = Q(pk__in=[])
            for path in paths:
                q |= Q(path__startswith=path)
            found = OrgUnit.objects.filter(q, kind=OrgUnit.Kind.MUNICIPALITY).values_list(
                "path", flat=True
            )
            cached = any(sum(1 for m in found if m.startswith(p)) >= 2 for p in paths)
        user._lms_regional = cached
    return cached


def may_manage_competence(user, competence) -> bool:
    """May `user` rename, retire or change the validity of `competence`?"""
    if competence.owner_id is None:
        return manages_shared_competences(user)
    return can(user, Action.COMPETENCE_MANAGE, competence.owner)


def may_own_competence(user, owner: OrgUnit | None) -> bool:
    """May `user` create a competence owned by `owner` (None: shared), or hand one over to it?"""
    if owner is None:
        return manages_shared_competences(user)
    return can(user, Action.COMPETENCE_MANAGE, owner)


def competence_owner_units(user) -> QuerySet[OrgUnit]:
    """The units a competence of `user` may belong to: the municipalities in their
    COMPETENCE_MANAGE scope and the tops of that scope (a regional Infohus's own unit)."""
    if not getattr(user, "is_active", False):
        return OrgUnit.objects.none()
    tops = (
        Q(depth=1)
        if _is_superuser(user)
        else Q(path__in=scope_paths(user, Action.COMPETENCE_MANAGE))
    )
    return OrgUnit.objects.filter(
        scope_q(user, Action.COMPETENCE_MANAGE, "path"),
        Q(kind=OrgUnit.Kind.MUNICIPALITY) | tops,
    )


def competences_managed_by(user, competences: QuerySet) -> QuerySet:
    if not getattr(user, "is_active", False):
        return competences.none()
    if _is_superuser(user):
        return competences
    owned = scope_q(user, Action.COMPETENCE_MANAGE, "owner__path")
    if manages_shared_competences(user):
        owned |= Q(owner__isnull=True)
    return competences.filter(owned)


def competences_visible_to(user, competences: QuerySet) -> QuerySet:
    """Shared competences, and those owned within or above the user's COMPETENCE_VIEW scope (the
    municipality's own, seen by its department contacts too)."""
    if not can(user, Action.COMPETENCE_VIEW):
        return competences.none()
    if _is_superuser(user):
        return competences
    ancestors = {
        a
        for path in scope_paths(user, Action.COMPETENCE_VIEW)
        for a in OrgUnit.ancestor_paths(path)
    }
    q = Q(owner__isnull=True) | Q(owner__path__in=sorted(ancestors))
    q |= scope_q(user, Action.COMPETENCE_VIEW, "owner__path")
    # A coordinator sees what they manage even if a grant narrower than theirs says otherwise.
    return competences.filter(q | Q(pk__in=competences_managed_by(user, competences).values("pk")))


def competences_usable_at(unit: OrgUnit, competences: QuerySet) -> QuerySet:
    """The competences a requirement of `unit` may name: shared ones and those owned by the unit
    or a unit above it."""
    return competences.filter(
        Q(owner__isnull=True) | Q(owner__path__in=OrgUnit.ancestor_paths(unit.path))
    )


def competence_usable_at(unit: OrgUnit, competence) -> bool:
    return competence.owner_id is None or unit.path.startswith(competence.owner.path)


# --- end competence ownership ---
