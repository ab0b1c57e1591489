"""Every change to the organisation tree: units created, renamed, moved.

Each function is keyword-only, checks the access policy when an acting user (`by`) is given, and
writes Wagtail's audit log so that staff see the change in the admin's history. Log entries never
carry names or email addresses (only ids and field names): they outlive anonymisation.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms import audit
from lms.people import policy
from lms.people.lib.changes import changes_apply, fk_value
from lms.people.lib.refusals import deny
from lms.people.models import OrgUnit, User
from lms.people.signals import roles_changed_send


@transaction.atomic
def org_unit_create(
    *,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None = None,
    by: User | None = None,
) -> OrgUnit:
    if parent is None:
        if by is not None and not policy.may_create_root_unit(by):
            deny(_("Choose a parent unit inside your area."), "parent")
    else:
        policy.require(by, policy.Action.ORGUNIT_MANAGE, parent, field="parent")
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("An organisation unit with this code already exists.")})
    fields = {"code": code, "name": name, "kind": kind}
    if parent is None:
        unit = OrgUnit.add_root(**fields)
    else:
        # treebeard keeps numchild and paths on the parent row; work on a fresh copy.
        parent = OrgUnit.objects.get(pk=parent.pk)
        unit = parent.add_child(**fields)
    audit.log(
        unit,
        "lms.orgunit.create",
        by=by,
        title=str(unit),
        data={"code": code, "kind": kind, "parent_id": parent.pk if parent else None},
    )
    return unit


@transaction.atomic
def org_unit_update(
    *, unit: OrgUnit, by: User | None = None, code: str, name: str, kind: str
) -> OrgUnit:
    policy.require(by, policy.Action.ORGUNIT_MANAGE, unit)
    if OrgUnit.objects.filter(code=code).exclude(pk=unit.pk).exists():
        raise ValidationError({"code": _("An organisation unit with this code already exists.")})
    unit = OrgUnit.objects.get(pk=unit.pk)
    changed = changes_apply(unit, {"code": code, "name": name, "kind": kind}, frozenset())
    if not changed:
        return unit
    unit.save(update_fields=changed["fields"])
    audit.log(unit, "lms.orgunit.update", by=by, title=str(unit), data=changed)
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None, by: User | None = None) -> OrgUnit:
    unit = OrgUnit.objects.get(pk=unit.pk)
    if by is not None and not policy.may_move_org_unit(by, unit=unit, new_parent=new_parent):
        deny(_("You may only move units within your area."), "parent")
    old_parent = unit.get_parent()
    if fk_value(old_parent) == fk_value(new_parent):
        return unit
    if new_parent is None:
        # The sorted position among the roots.
        first_root = OrgUnit.get_first_root_node()
        unit.move(first_root, pos="sorted-sibling")
    else:
        new_parent = OrgUnit.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
        unit.move(new_parent, pos="sorted-child")
    unit = OrgUnit.objects.get(pk=unit.pk)
    # The assignments above the unit's old and new place now cover something else.
    roles_changed_send(user_ids=None)
    audit.log(
        unit,
        "lms.orgunit.move",
        by=by,
        title=str(unit),
        data={
            "old_parent_id": old_parent.pk if old_parent else None,
            "new_parent_id": new_parent.pk if new_parent else None,
        },
    )
    return unit
