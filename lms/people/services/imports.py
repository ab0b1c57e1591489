"""What the roster and organisation-unit imports share: their audit-log actions, the access
check and the refusal of a whole file."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.people import policy
from lms.people.models import OrgUnit, User
from lms.tabular import ImportResult, RowError

# Wagtail audit-log actions: code -> (model, label, message); registered in wagtail_hooks.py.
# Each entry's data is {"fields": [changed field names]}: names, never values (personal data).
LOG_ACTIONS = {
    "lms.person.import_create": (
        "Person",
        gettext_lazy("Create person by import"),
        gettext_lazy("Person created by import"),
    ),
    "lms.person.import_update": (
        "Person",
        gettext_lazy("Change person by import"),
        gettext_lazy("Person changed by import"),
    ),
    "lms.orgunit.import_create": (
        "OrgUnit",
        gettext_lazy("Create organisation unit by import"),
        gettext_lazy("Organisation unit created by import"),
    ),
    "lms.orgunit.import_update": (
        "OrgUnit",
        gettext_lazy("Change organisation unit by import"),
        gettext_lazy("Organisation unit changed by import"),
    ),
}


def import_failed(errors: list[RowError], *, dry_run: bool, kind: str) -> ImportResult:
    errors = sorted(errors, key=lambda error: error.row or 0)
    return ImportResult(errors=errors, dry_run=dry_run, kind=kind)


def import_refused(
    by: User | None, action: policy.Action, scope: OrgUnit | None
) -> RowError | None:
    """The services check the policy themselves, so that a view's check is a second line, not
    the only one. `by=None` is the system (commands, the demo). Without a scope the file may
    touch the whole tree: only a superuser may do that."""
    if by is None:
        return None
    if scope is None:
        allowed = policy.may_create_root_unit(by)
    else:
        allowed = policy.can(by, action, scope)
    if allowed:
        return None
    return RowError(
        row=None,
        column=None,
        message=_("You may not import into this area. Nothing was changed."),
    )


def in_scope(path: str, scope: OrgUnit | None) -> bool:
    return scope is None or path.startswith(scope.path)
