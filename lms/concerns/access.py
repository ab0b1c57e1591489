"""Who may read a concern, and who is told of a new one.

Built from the core policy's primitives (lms.people.policy), registered from
ConcernsConfig.ready(). Stricter than the rest of the platform on purpose (issue 12): a concern
is read only by the members of its municipality's Infohus, through a role assignment over the
case's Infohus unit; being a superuser counts for nothing here (policy.can lets a superuser do
anything, so these rules use policy.scope_paths, which knows only role assignments). A
department contact learns only that a concern from their administration is open, never which.
The steering group, institution coordinators, and everyone of another municipality see nothing.
Every one of these roles is a role assignment, so the admin asks each of them for TOTP
(lms.people.middleware.StaffMFARequiredMiddleware).
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

from lms.concerns.lib import routing
from lms.people import policy
from lms.people.models import OrgUnit, Role, User


class Action(StrEnum):
    CONCERN_VIEW = "concern.view"
    # Record the next step of the assessment (services.cases.concern_advance).
    CONCERN_HANDLE = "concern.handle"
    # Only "a concern from your administration is open": a count, no case.
    CONCERN_OPEN_SEE = "concern.open_see"
    # Set the Infohus's deadlines and keep its list of forwarding services: the coordinators
    # only (the coordinator holds every action; no other role is granted this one).
    CONCERN_CONFIGURE = "concern.configure"


# The coordinator holds every action. The SSP consultant and the police representative are
# members of the Infohus who receive citizens' concerns.
GRANTS: dict[Role, frozenset[Action]] = {
    Role.SSP_CONSULTANT: frozenset({Action.CONCERN_VIEW, Action.CONCERN_HANDLE}),
    Role.POLICE_REPRESENTATIVE: frozenset({Action.CONCERN_VIEW, Action.CONCERN_HANDLE}),
    Role.DEPARTMENT_CONTACT: frozenset({Action.CONCERN_OPEN_SEE}),
}

# Who receives a new concern on each route of the routing table (lms.concerns.lib.routing).
ROUTE_ROLES: dict[str, Role] = {
    routing.COORDINATORS: Role.COORDINATOR,
    routing.SSP_CONSULTANT: Role.SSP_CONSULTANT,
    routing.POLICE_REPRESENTATIVE: Role.POLICE_REPRESENTATIVE,
}


def register() -> None:
    """Tell the core policy this app's actions and grants (ConcernsConfig.ready())."""
    policy.actions_register(actions=Action)
    for role, actions in GRANTS.items():
        policy.grants_add(role=role, actions=actions)


def _paths(user, action: str) -> list[str]:
    if not getattr(user, "is_active", False):
        return []
    return policy.scope_paths(user, action)


def may_view_cases(user) -> bool:
    """Does `user` read any municipality's cases (the admin's "Concerns" menu)?"""
    return bool(_paths(user, Action.CONCERN_VIEW))


def cases_visible_q(user, path_field: str = "infohus__path") -> Q:
    paths = _paths(user, Action.CONCERN_VIEW)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def may_view_case(user, concern) -> bool:
    path = concern.infohus.path
    return any(path.startswith(scope) for scope in _paths(user, Action.CONCERN_VIEW))


def may_handle_case(user, concern) -> bool:
    """May `user` record the case's next step? The Infohus members of the case's municipality."""
    path = concern.infohus.path
    return any(path.startswith(scope) for scope in _paths(user, Action.CONCERN_HANDLE))


def may_record_police_decision(user, concern) -> bool:
    """Only the police representative records the decision on a report to PET/EAE: the role
    itself over the case's Infohus, not any role that may do everything else (the coordinator)."""
    if not getattr(user, "is_active", False):
        return False
    path = concern.infohus.path
    return any(
        path.startswith(scope) for scope in policy.role_paths(user, Role.POLICE_REPRESENTATIVE)
    )


def may_advance(user, concern, *, outcome: str = "") -> bool:
    """May `user` record the case's next step (with this outcome, at the outcome step)?"""
    if not may_handle_case(user, concern):
        return False
    if outcome == "police":
        return may_record_police_decision(user, concern)
    return True


def configurable_units(user) -> list[OrgUnit]:
    """The Infohus units (an Infohus site's unit, HomePage.org_unit) whose deadlines and
    forwarding services `user` keeps: within their coordinator scope. None for a superuser
    without the role."""
    from lms.site.models import HomePage

    paths = _paths(user, Action.CONCERN_CONFIGURE)
    if not paths:
        return []
    q = Q()
    for path in paths:
        q |= Q(path__startswith=path)
    homes = HomePage.objects.filter(org_unit__isnull=False).values("org_unit")
    return list(OrgUnit.objects.filter(q, pk__in=homes).order_by("name", "pk"))


def may_configure(user, unit: OrgUnit) -> bool:
    return any(unit.path.startswith(scope) for scope in _paths(user, Action.CONCERN_CONFIGURE))


def may_see_open_count(user) -> bool:
    return bool(_paths(user, Action.CONCERN_OPEN_SEE))


def open_count_q(user) -> Q:
    """The open concerns reported from a workplace in the user's CONCERN_OPEN_SEE scope (a
    department contact: their administration)."""
    paths = _paths(user, Action.CONCERN_OPEN_SEE)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(reporter_unit__path__startswith=path)
    return q


def route_recipients(*, route: str, infohus: OrgUnit) -> QuerySet[User]:
    """The active users who hold the route's role over the case's Infohus unit (an assignment on
    it or above it; not someone whose roster entry has left). No superuser without the role."""
    role = ROUTE_ROLES.get(route, Role.COORDINATOR)
    return User.objects.filter(
        Q(person__isnull=True) | Q(person__active=True),
        is_active=True,
        role_assignments__role=role,
        role_assignments__org_unit__path__in=OrgUnit.ancestor_paths(infohus.path),
    ).distinct()
