"""Every change to role assignments: a role handed out or revoked (lms.people.signals tells who
follows roles, such as the site editors' groups).

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
from lms.people.lib.refusals import deny
from lms.people.models import OrgUnit, Role, RoleAssignment, User
from lms.people.signals import roles_changed_send


@transaction.atomic
def role_assignment_create(
    *, user: User, role: Role | str, org_unit: OrgUnit, by: User | None = None
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    role = Role(role)
    if by is not None and not policy.may_assign_role(by, role=role, org_unit=org_unit):
        deny(_("You may only hand out roles over units within your area."), "org_unit")
    if by is not None and not policy.assignable_users(by).filter(pk=user.pk).exists():
        deny(_("You may only hand out roles to people within your area."), "user")
    if RoleAssignment.objects.filter(user=user, role=role, org_unit=org_unit).exists():
        raise ValidationError(_("This user already holds this role over this unit."))
    assignment = RoleAssignment.objects.create(user=user, role=role, org_unit=org_unit)
    policy.forget(user)
    roles_changed_send(user_ids=[user.pk])
    audit.log(
        assignment,
        "lms.role.create",
        by=by,
        data={"user_id": user.pk, "role": role.value, "org_unit_id": org_unit.pk},
    )
    return assignment


@transaction.atomic
def role_assignment_delete(*, assignment: RoleAssignment, by: User | None = None) -> None:
    if by is not None and not policy.may_revoke_role(by, assignment=assignment):
        deny(_("You may only revoke roles over units within your area."))
    data = {
        "user_id": assignment.user_id,
        "role": assignment.role,
        "org_unit_id": assignment.org_unit_id,
    }
    # Log first: the entry needs the primary key, which delete() clears.
    audit.log(assignment, "lms.role.delete", by=by, data=data)
    assignment.delete()
    policy.forget(assignment.user)
    roles_changed_send(user_ids=[assignment.user_id])
