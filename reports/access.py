"""Who sees which coverage figures: built only from the core policy's primitives.

COVERAGE_VIEW: the aggregate figures of a unit's subtree. The steering group over its
municipality, a department contact over their administration, an institution coordinator over
their institution; the coordinator (who holds every action) over their Infohus's area. A role
covers the subtree of the unit it is assigned to, so nobody sees another municipality's figures.

COVERAGE_NAMES: who is behind a gap (the people missing or about to lose a required competence).
The coordinators only. Whoever may not see names gets the figures with small numbers suppressed
(reports.lib.suppression).

The half-year report is downloaded by whoever has COVERAGE_VIEW over its unit (the steering group
of that municipality, its coordinators). STEERING_MEETINGS_MANAGE: the steering group's meeting
dates, before which the report is built; the coordinators only.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet

from lms.people import policy
from lms.people.models import OrgUnit, Role, User


class Action(StrEnum):
    COVERAGE_VIEW = "reports.coverage.view"
    COVERAGE_NAMES = "reports.coverage.names"
    # The steering group's meeting dates (the half-year report is offered before each): the
    # coordinators only (they hold every action).
    STEERING_MEETINGS_MANAGE = "reports.steering_meetings.manage"
    # The concern counts on the Overblik page (reports.selectors.concerns): the steering group
    # and the coordinators (who hold every action), never a department contact or an institution.
    CONCERNS_VIEW = "reports.concerns.view"


VIEW = Action.COVERAGE_VIEW
NAMES = Action.COVERAGE_NAMES
STEERING_MEETINGS_MANAGE = Action.STEERING_MEETINGS_MANAGE

GRANTS: dict[Role, frozenset[Action]] = {
    Role.STEERING_GROUP: frozenset({VIEW, Action.CONCERNS_VIEW}),
    Role.DEPARTMENT_CONTACT: frozenset({VIEW}),
    Role.INSTITUTION_COORDINATOR: frozenset({VIEW}),
}


def register() -> None:
    """Tell the core policy this app's actions and grants (ReportsConfig.ready())."""
    policy.actions_register(actions=Action)
    for role, actions in GRANTS.items():
        policy.grants_add(role=role, actions=actions)


def may_view(user: User | None, unit: OrgUnit | None = None) -> bool:
    return policy.can(user, VIEW, unit)


def may_see_names(user: User | None, unit: OrgUnit) -> bool:
    """Names behind a gap, and the figures unsuppressed."""
    return policy.can(user, NAMES, unit)


def may_view_concerns(user: User | None, unit: OrgUnit) -> bool:
    """The concern counts of `unit`'s subtree (counts only, suppressed for everyone)."""
    return policy.can(user, Action.CONCERNS_VIEW, unit)


def scope_units(user: User) -> QuerySet[OrgUnit]:
    """The top units of the user's coverage scope (every root for a superuser), by path."""
    if policy.is_superuser(user):
        return OrgUnit.get_root_nodes()
    return OrgUnit.objects.filter(path__in=policy.scope_paths(user, VIEW)).order_by("path")
