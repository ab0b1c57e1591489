"""The access policy: the one place that answers "may this user do X to Y".

Every role is a RoleAssignment on an OrgUnit and covers that unit's whole subtree. Admin menus,
viewsets, front-end views and the auth backend all ask this module, or a feature's access.py built
only from its primitives; none decides on its own.

This module holds the decision table (which role may do which action) and the primitives the rules
are built from: can/require, the scope filters, the inverse (users_with), the person of a user.
It knows no feature: each feature declares its actions and grants in its own access.py and
registers them from its AppConfig.ready() (actions_register, grants_add). The table is computed
from the registrations when read, so a role that holds every action (the coordinator) holds every
registered one whatever order the apps load in, except those registered as grant-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Set
from enum import StrEnum
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User

T = TypeVar("T")


class Action(StrEnum):
    """The core's own actions; a feature's are in its access.py (any action is a str)."""

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
    # Author the Wagtail pages (and upload images and documents) of the sites whose home page
    # belongs to a unit in scope; lms.site.editors turns it into Wagtail group permissions.
    PAGE_EDIT = "page.edit"


STAFF_ROLES = frozenset(Role)

# Every registered action: the core's, then each feature's (actions_register).
_actions: set[str] = set(Action)
# Actions about something shared by every unit (job categories): a grant is enough, no scope.
_unscoped: set[str] = {Action.JOBCATEGORY_VIEW, Action.JOBCATEGORY_MANAGE}
# Actions that only an explicit grant gives (actions_register(grant_only=...)): the roles that
# hold every action do not hold these, because a rule names who does them (an urgent message is
# sent by a leader, not by the coordinators who hold everything else).
_grant_only: set[str] = set()
# The roles that hold every registered action but these. Job categories are one list shared by
# every municipality of the installation: only a superuser changes them, never a municipality's
# coordinator.
_EVERY_ACTION_BUT: dict[Role, frozenset[str]] = {
    Role.COORDINATOR: frozenset({Action.JOBCATEGORY_MANAGE}),
}
# What the other roles may do, within the subtree of the unit they are assigned to: the core's
# grants here, each feature's added by grants_add.
_granted: dict[Role, set[str]] = {
    # A department contact requests meetings and follows their administration's coverage, which
    # is aggregates: no access to the named roster (data minimisation).
    Role.DEPARTMENT_CONTACT: {Action.ADMIN_ACCESS, Action.ORGUNIT_VIEW, Action.JOBCATEGORY_VIEW},
    Role.INSTITUTION_COORDINATOR: {
        Action.ADMIN_ACCESS,
        Action.ORGUNIT_VIEW,
        Action.PERSON_VIEW,
        Action.PERSON_MANAGE,
        Action.PERSON_EXPORT,
        Action.JOBCATEGORY_VIEW,
    },
    # The steering group sees aggregates only: no personal data.
    Role.STEERING_GROUP: {Action.ADMIN_ACCESS, Action.ORGUNIT_VIEW, Action.JOBCATEGORY_VIEW},
    # A leader reaches the admin and the units of their area; the features grant what they do
    # there. No named roster (data minimisation).
    Role.LEADER: {Action.ADMIN_ACCESS, Action.ORGUNIT_VIEW, Action.JOBCATEGORY_VIEW},
    # The Infohus members who receive citizens' concerns handle them in the admin; what they may
    # do there is granted by the concern intake's own rules (lms.concerns.access).
    Role.SSP_CONSULTANT: {Action.ADMIN_ACCESS},
    Role.POLICE_REPRESENTATIVE: {Action.ADMIN_ACCESS},
}
_table: dict[Role, frozenset[str]] | None = None


def actions_register(
    *, actions: Iterable[str], unscoped: Iterable[str] = (), grant_only: Iterable[str] = ()
) -> None:
    """Declare a feature's actions (its access.Action). `unscoped`: those of them about something
    shared by every unit, for which a grant is enough, whatever the object. `grant_only`: those
    of them that only a role granted them by grants_add holds, not the roles that hold every
    action (the coordinator); a superuser still may. Registering again is harmless (an app
    registry populated twice)."""
    global _table
    actions = frozenset(actions)
    unscoped, grant_only = frozenset(unscoped), frozenset(grant_only)
    if not unscoped <= actions:
        raise ValueError(f"Unscoped actions must be registered too: {sorted(unscoped - actions)}")
    if not grant_only <= actions:
        raise ValueError(
            f"Grant-only actions must be registered too: {sorted(grant_only - actions)}"
        )
    _actions.update(actions)
    _unscoped.update(unscoped)
    _grant_only.update(grant_only)
    _table = None


def grants_add(*, role: Role, actions: Iterable[str]) -> None:
    """Let `role` do `actions` (registered ones) within the subtree of the unit it is assigned to.
    A role that holds every action (the coordinator) needs no grant."""
    global _table
    actions = frozenset(actions)
    unknown = actions - _actions
    if unknown:
        raise ValueError(f"Grant of unregistered actions: {sorted(unknown)}")
    if role in _EVERY_ACTION_BUT:
        raise ValueError(f"{role} holds every action already")
    _granted[role].update(actions)
    _table = None


def every_action() -> frozenset[str]:
    """Every registered action: the core's and every feature's."""
    return frozenset(_actions)


def _grants() -> dict[Role, frozenset[str]]:
    global _table
    if _table is None:
        _table = {
            role: frozenset(_actions - _EVERY_ACTION_BUT[role] - _grant_only)
            if role in _EVERY_ACTION_BUT
            else frozenset(_granted[role])
            for role in Role
        }
    return _table


class _Grants(Mapping[Role, frozenset[str]]):
    """What each role may do, within the subtree of the unit it is assigned to (read-only)."""

    def __getitem__(self, role: Role) -> frozenset[str]:
        return _grants()[role]

    def __iter__(self) -> Iterator[Role]:
        return iter(_grants())

    def __len__(self) -> int:
        return len(_grants())


class _Unscoped(Set[str]):
    """The actions for which a grant is enough, whatever the object (read-only)."""

    def __contains__(self, action: object) -> bool:
        return action in _unscoped

    def __iter__(self) -> Iterator[str]:
        return iter(frozenset(_unscoped))

    def __len__(self) -> int:
        return len(_unscoped)


GRANTS: Mapping[Role, frozenset[str]] = _Grants()
UNSCOPED_ACTIONS: Set[str] = _Unscoped()


def _known(action: str) -> str:
    """An action nobody registered is a mistake (a typo, an app not installed), not a "no"."""
    if action not in _actions:
        raise LookupError(f"No app registered the action {action!r}")
    return action


def roles_with(action: str) -> list[Role]:
    """The roles whose grants hold `action`."""
    return [role for role, actions in _grants().items() if _known(action) in actions]


def _counting_assignments(user) -> QuerySet[RoleAssignment]:
    """The role assignments of `user` (a User or an OuterRef to one) that count.

    Someone who left keeps their account and assignments (history, a possible return), but their
    roles stop counting the moment their roster entry is marked left. An account without a roster
    entry (an external consultant, the installation's admin) keeps them."""
    return RoleAssignment.objects.filter(user=user).filter(
        Q(user__person__isnull=True) | Q(user__person__active=True)
    )


def _assignments(user) -> list[tuple[Role, str]]:
    """(role, unit path) pairs of the user, loaded once per user object (one query; none for a
    user loaded through users_for_request() who holds no role)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lms_assignments", None)
    if cached is None:
        cached = [
            (Role(role), path)
            for role, path in _counting_assignments(user).values_list("role", "org_unit__path")
        ]
        user._lms_assignments = cached
    return cached


def users_for_request() -> QuerySet[User]:
    """Users as the request's user is loaded (lms.people.backends.AccountBackend): each with
    their roster entry (and its unit) and whether any of their role assignments counts, in the
    same query. Most users (employees) hold no role, and user_loaded() then answers every
    question of this module without the query of their assignments, and person_of() without the
    query of their roster entry. Nothing is kept beyond the request: a grant, a revocation or a
    departure counts on the next request."""
    return User._default_manager.select_related("person__org_unit").annotate(
        _lms_holds_role=Exists(_counting_assignments(OuterRef("pk")))
    )


def user_loaded(user: User) -> User:
    """Take in a user from users_for_request(): one who holds no role has no assignments, and
    the roster entry came with the user (person_of() keeps only an active one)."""
    if getattr(user, "_lms_holds_role", None) is False:
        user._lms_assignments = []
    person = getattr(user, "person", None)
    user._lms_person = person if person is not None and person.active else None
    return user


def memo(user, key: str, compute: Callable[[], T]) -> T:
    """An answer derived from the user's role assignments (a feature's, under a key of its own),
    computed once per user object; forget() drops it with the assignments."""
    cache = getattr(user, "_lms_memo", None)
    if cache is None:
        cache = user._lms_memo = {}
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget(user) -> None:
    """Drop the per-request cache after the user's assignments or roster entry change."""
    for cached in ("_lms_assignments", "_lms_memo", "_lms_person"):
        if hasattr(user, cached):
            delattr(user, cached)


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


def roles(user) -> set[Role]:
    return {role for role, _path in _assignments(user)}


def role_paths(user, role: Role) -> list[str]:
    """The tree paths of the units over which the user holds `role` itself: for the few decisions
    that belong to one role whatever else a user may do (the coordinator holds every action)."""
    return sorted({path for held, path in _assignments(user) if held == role})


def has_staff_role(user) -> bool:
    """Anyone but a plain employee: holds any role assignment, or is a superuser."""
    return is_superuser(user) or bool(_assignments(user))


def scope_paths(user, action: str) -> list[str]:
    """The tree paths of the units under which the user may do `action`; minimal, no overlaps."""
    grants = _grants()
    _known(action)
    paths = sorted({path for role, path in _assignments(user) if action in grants[role]})
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return minimal


def can(user, action: str, obj=None) -> bool:
    """May `user` do `action` (to `obj`, when given)? Without obj: anywhere at all."""
    _known(action)
    if not getattr(user, "is_active", False):
        return False
    if is_superuser(user):
        return True
    paths = scope_paths(user, action)
    if not paths:
        return False
    if obj is None or action in _unscoped or isinstance(obj, JobCategory):
        return True
    path = _path_of(obj)
    return path is not None and any(path.startswith(scope) for scope in paths)


def require(by, action: str, obj=None, *, field: str | None = None) -> None:
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


def scope_q(user, action: str, path_field: str = "org_unit__path") -> Q:
    """A filter that keeps the rows in the user's scope for `action`.

    `path_field` names the OrgUnit path reached from the filtered model ("path" for OrgUnit).
    """
    _known(action)
    if is_superuser(user):
        return Q()
    paths = scope_paths(user, action) if getattr(user, "is_active", False) else []
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def org_units(user, action: str) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_q(user, action, "path"))


def people(user, action: str) -> QuerySet[Person]:
    return Person.objects.filter(scope_q(user, action))


def role_assignments(user, action: str) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(scope_q(user, action))


def may_assign_role(user, *, role: Role, org_unit: OrgUnit) -> bool:
    """A user may hand out any role, but only over a unit inside their own ROLE_MANAGE scope."""
    return can(user, Action.ROLE_MANAGE, org_unit)


def may_revoke_role(user, *, assignment: RoleAssignment) -> bool:
    """Revoking follows the same rule as granting: the unit must be inside the ROLE_MANAGE scope."""
    return can(user, Action.ROLE_MANAGE, assignment.org_unit)


def may_create_root_unit(user) -> bool:
    """A new top of the tree (a municipality, a regional Infohus) is outside every scope."""
    return is_superuser(user)


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
    if is_superuser(user):
        return active
    return active.filter(
        pk__in=Person.objects.filter(scope_q(user, Action.ROLE_MANAGE), user__isnull=False).values(
            "user_id"
        )
    )


def users_with(action: str, *, obj=None) -> QuerySet[User]:
    """Active users who may do `action` (to `obj`, when given): the inverse of `can`."""
    granting = roles_with(action)
    # Roles of someone whose roster entry has left count for nothing, as in _assignments().
    by_role = Q(role_assignments__role__in=granting) & (
        Q(person__isnull=True) | Q(person__active=True)
    )
    if obj is not None and action not in _unscoped and not isinstance(obj, JobCategory):
        path = _path_of(obj)
        if path is None:
            by_role = Q(pk__in=[])
        else:
            by_role &= Q(role_assignments__org_unit__path__in=OrgUnit.ancestor_paths(path))
    return User.objects.filter(Q(is_superuser=True) | by_role, is_active=True).distinct()


def person_of(user) -> Person | None:
    """The roster entry of a signed-in user (with its unit), loaded once per user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_lms_person"):
        user._lms_person = (
            Person.objects.select_related("org_unit").filter(user=user, active=True).first()
        )
    return user._lms_person


def role_holders_by_unit(
    action: str, *, units: list[OrgUnit], user_ids=None
) -> dict[int, set[int]]:
    """For each unit, the ids of the users whose roles let them do `action` there.

    The same rule as users_with(action, obj=unit), superusers aside (they need no role): an
    assignment granting `action` on the unit or above it, held by an active user whose roster
    entry has not left. `user_ids` limits the answer to those users. One query. Wagtail checks
    pages against groups, not against this module: lms.site.editors keeps each site's editor
    group from this (PAGE_EDIT), read for every site at once.
    """
    granting = roles_with(action)
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
