"""The access policy: the one place that answers "may this user do X to Y".

Every role is a RoleAssignment on an OrgUnit and covers that unit's whole subtree. Admin menus,
viewsets, front-end views and the auth backend all ask this module; none decides on its own.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet

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


STAFF_ROLES = frozenset(Role)

# What each role may do, within the subtree of the unit it is assigned to.
GRANTS: dict[Role, frozenset[Action]] = {
    Role.COORDINATOR: frozenset(Action),
    Role.DEPARTMENT_CONTACT: frozenset(
        {
            Action.ADMIN_ACCESS,
            Action.ORGUNIT_VIEW,
            Action.PERSON_VIEW,
            Action.PERSON_EXPORT,
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


def _assignments(user) -> list[tuple[Role, str]]:
    """(role, unit path) pairs of the user, loaded once per user object (one query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_lms_assignments", None)
    if cached is None:
        cached = [
            (Role(role), path)
            for role, path in RoleAssignment.objects.filter(user=user).values_list(
                "role", "org_unit__path"
            )
        ]
        user._lms_assignments = cached
    return cached


def forget(user) -> None:
    """Drop the per-request cache after the user's assignments change."""
    if hasattr(user, "_lms_assignments"):
        del user._lms_assignments


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


def _ancestor_paths(path: str) -> list[str]:
    step = OrgUnit.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def users_with(action: Action, *, obj=None) -> QuerySet[User]:
    """Active users who may do `action` (to `obj`, when given): the inverse of `can`."""
    granting = [role for role, actions in GRANTS.items() if action in actions]
    by_role = Q(role_assignments__role__in=granting)
    if obj is not None and action not in UNSCOPED_ACTIONS and not isinstance(obj, JobCategory):
        path = _path_of(obj)
        if path is None:
            by_role = Q(pk__in=[])
        else:
            by_role &= Q(role_assignments__org_unit__path__in=_ancestor_paths(path))
    return User.objects.filter(Q(is_superuser=True) | by_role, is_active=True).distinct()
