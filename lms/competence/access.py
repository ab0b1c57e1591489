"""Who may do what with competences, requirements and the evidence ledger.

The competence ledger's rules, built only from the core policy's primitives (lms.people.policy):
its actions and what each role holds of them are registered with the core from
CompetenceConfig.ready() (register), so `policy.can(user, Action.EVIDENCE_VIEW, person)` answers
like any core action.

A competence is a municipality's own (owner = that unit) or shared by all (owner None). Renaming or
retiring one changes the requirement status of every unit that requires it, so its owner's
coordinators change it, and a shared one only a superuser or a regional Infohus: a
COMPETENCE_MANAGE assignment over a unit whose subtree holds several municipalities (the one
mechanism for every level, see DESIGN.md). A requirement may name a shared competence or one owned
by its unit or a unit above it.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from lms.people import policy
from lms.people.models import OrgUnit, Person, Role


class Action(StrEnum):
    COMPETENCE_VIEW = "competence.view"
    COMPETENCE_MANAGE = "competence.manage"
    REQUIREMENT_VIEW = "requirement.view"
    REQUIREMENT_MANAGE = "requirement.manage"
    EVIDENCE_VIEW = "evidence.view"
    EVIDENCE_RECORD = "evidence.record"


# Competences are shared definitions like job categories: reading the list needs a grant, not a
# scope; changing one is decided by its owner (may_manage_competence and friends below).
# Requirements and evidence are scoped by the org unit they apply to / the person's unit.
UNSCOPED = frozenset({Action.COMPETENCE_VIEW})

# What the staff roles other than the coordinator (who holds every action) hold: they may read
# what their area is required to hold; a person's evidence is personal data, seen only by those
# who see the named roster (not the department contact nor the steering group: they get
# aggregates).
GRANTS: dict[Role, frozenset[Action]] = {
    Role.DEPARTMENT_CONTACT: frozenset({Action.COMPETENCE_VIEW, Action.REQUIREMENT_VIEW}),
    Role.INSTITUTION_COORDINATOR: frozenset(
        {Action.COMPETENCE_VIEW, Action.REQUIREMENT_VIEW, Action.EVIDENCE_VIEW}
    ),
    Role.STEERING_GROUP: frozenset({Action.COMPETENCE_VIEW, Action.REQUIREMENT_VIEW}),
}


def register() -> None:
    """Tell the core policy this app's actions and grants (CompetenceConfig.ready())."""
    policy.actions_register(actions=Action, unscoped=UNSCOPED)
    for role, actions in GRANTS.items():
        policy.grants_add(role=role, actions=actions)


def manages_shared_competences(user) -> bool:
    """A superuser, or a regional Infohus: COMPETENCE_MANAGE over several municipalities. One
    query at most, once per user object."""
    if not getattr(user, "is_active", False):
        return False
    if policy.is_superuser(user):
        return True
    return policy.memo(user, "competence.regional", lambda: _is_regional(user))


def _is_regional(user) -> bool:
    paths = policy.scope_paths(user, Action.COMPETENCE_MANAGE)
    if not paths:
        return False
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    found = OrgUnit.objects.filter(q, kind=OrgUnit.Kind.MUNICIPALITY).values_list("path", flat=True)
    return any(sum(1 for m in found if m.startswith(p)) >= 2 for p in paths)


def may_manage_competence(user, competence) -> bool:
    """May `user` rename, retire or change the validity of `competence`?"""
    if competence.owner_id is None:
        return manages_shared_competences(user)
    return policy.can(user, Action.COMPETENCE_MANAGE, competence.owner)


def may_own_competence(user, owner: OrgUnit | None) -> bool:
    """May `user` create a competence owned by `owner` (None: shared), or hand one over to it?"""
    if owner is None:
        return manages_shared_competences(user)
    return policy.can(user, Action.COMPETENCE_MANAGE, owner)


def competence_owner_units(user) -> QuerySet[OrgUnit]:
    """The units a competence of `user` may belong to: the municipalities in their
    COMPETENCE_MANAGE scope and the tops of that scope (a regional Infohus's own unit)."""
    if not getattr(user, "is_active", False):
        return OrgUnit.objects.none()
    tops = (
        Q(depth=1)
        if policy.is_superuser(user)
        else Q(path__in=policy.scope_paths(user, Action.COMPETENCE_MANAGE))
    )
    return OrgUnit.objects.filter(
        policy.scope_q(user, Action.COMPETENCE_MANAGE, "path"),
        Q(kind=OrgUnit.Kind.MUNICIPALITY) | tops,
    )


def competences_managed_by(user, competences: QuerySet) -> QuerySet:
    if not getattr(user, "is_active", False):
        return competences.none()
    if policy.is_superuser(user):
        return competences
    owned = policy.scope_q(user, Action.COMPETENCE_MANAGE, "owner__path")
    if manages_shared_competences(user):
        owned |= Q(owner__isnull=True)
    return competences.filter(owned)


def competences_visible_to(user, competences: QuerySet) -> QuerySet:
    """Shared competences, and those owned within or above the user's COMPETENCE_VIEW scope (the
    municipality's own, seen by its department contacts too)."""
    if not policy.can(user, Action.COMPETENCE_VIEW):
        return competences.none()
    if policy.is_superuser(user):
        return competences
    ancestors = {
        a
        for path in policy.scope_paths(user, Action.COMPETENCE_VIEW)
        for a in OrgUnit.ancestor_paths(path)
    }
    q = Q(owner__isnull=True) | Q(owner__path__in=sorted(ancestors))
    q |= policy.scope_q(user, Action.COMPETENCE_VIEW, "owner__path")
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


# A certificate (a course completion) and a piece of evidence are the person's own: they, and staff
# who may see that person's evidence (EVIDENCE_VIEW over their unit), may open them. A manager
# (the user linked to the Person that others name as `manager`) sees their active direct reports'
# status per required competence, and nobody else's: no role needed, and no role widens it.


def may_view_person_evidence(user, person: Person) -> bool:
    """The person themselves, or staff with EVIDENCE_VIEW over the person's unit."""
    if not getattr(user, "is_active", False):
        return False
    own = policy.person_of(user)
    if own is not None and own.pk == person.pk:
        return True
    return policy.can(user, Action.EVIDENCE_VIEW, person)


def team_members(user) -> QuerySet[Person]:
    """The active, not anonymised direct reports of the user's own (active) roster entry."""
    own = policy.person_of(user) if getattr(user, "is_active", False) else None
    if own is None:
        return Person.objects.none()
    return Person.objects.filter(manager=own, active=True, anonymised_at__isnull=True)


def may_view_team(user) -> bool:
    """Someone who manages at least one active person. One query at most."""
    return team_members(user).exists()
