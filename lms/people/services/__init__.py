"""Every change to the organisation tree, the roster and role assignments.

Each function is keyword-only, checks the access policy when an acting user (`by`) is given, and
writes Wagtail's audit log so that staff see the change in the admin's history. Log entries never
carry names or email addresses (only ids and field names): they outlive anonymisation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit, bounds
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User
from lms.people.signals import roles_changed_send

# Person fields whose values are personal data: the audit log names them, never their values.
PERSON_PERSONAL_FIELDS = frozenset({"name", "email", "employee_number"})
PERSON_EDITABLE_FIELDS = (
    "name",
    "email",
    "employee_number",
    "org_unit",
    "job_category",
    "manager",
    "active",
    "left_on",
)
ANONYMOUS_NAME = "Anonymiseret person"


def _deny(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message, code="permission_denied")


def _fk_value(value):
    return getattr(value, "pk", value)


def _changes(instance, fields: dict[str, Any], personal: frozenset[str]) -> dict[str, Any]:
    """Apply `fields` to `instance` and describe what changed for the audit log: every changed
    field by name, and old -> new only for fields that are not personal data."""
    names: list[str] = []
    values: dict[str, dict[str, Any]] = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if _fk_value(old) == _fk_value(new):
            continue
        setattr(instance, name, new)
        names.append(name)
        if name not in personal:
            values[name] = {"old": _json(old), "new": _json(new)}
    return {"fields": names, "values": values} if names else {}


def _json(value):
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


# --- Organisation units -------------------------------------------------------------------------


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
            _deny(_("Choose a parent unit inside your area."), "parent")
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
    changed = _changes(unit, {"code": code, "name": name, "kind": kind}, frozenset())
    if not changed:
        return unit
    unit.save(update_fields=changed["fields"])
    audit.log(unit, "lms.orgunit.update", by=by, title=str(unit), data=changed)
    return unit


@transaction.atomic
def org_unit_move(*, unit: OrgUnit, new_parent: OrgUnit | None, by: User | None = None) -> OrgUnit:
    unit = OrgUnit.objects.get(pk=unit.pk)
    if by is not None and not policy.may_move_org_unit(by, unit=unit, new_parent=new_parent):
        _deny(_("You may only move units within your area."), "parent")
    old_parent = unit.get_parent()
    if _fk_value(old_parent) == _fk_value(new_parent):
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


# --- Job categories -----------------------------------------------------------------------------


@transaction.atomic
def job_category_create(
    *, code: str, name: str, is_frontline: bool = False, by: User | None = None
) -> JobCategory:
    policy.require(by, policy.Action.JOBCATEGORY_MANAGE)
    category = JobCategory(code=code, name=name, is_frontline=is_frontline)
    category.full_clean()
    category.save()
    audit.log(
        category,
        "lms.jobcategory.create",
        by=by,
        title=str(category),
        data={"code": code, "name": name, "is_frontline": is_frontline},
    )
    return category


@transaction.atomic
def job_category_update(
    *,
    category: JobCategory,
    by: User | None = None,
    code: str,
    name: str,
    is_frontline: bool,
) -> JobCategory:
    policy.require(by, policy.Action.JOBCATEGORY_MANAGE)
    category = JobCategory.objects.get(pk=category.pk)
    changed = _changes(
        category, {"code": code, "name": name, "is_frontline": is_frontline}, frozenset()
    )
    if not changed:
        return category
    category.full_clean()
    category.save(update_fields=changed["fields"])
    audit.log(category, "lms.jobcategory.update", by=by, title=str(category), data=changed)
    return category


# --- People -------------------------------------------------------------------------------------


def person_validate(*, person: Person) -> None:
    """The roster rules for an unsaved or changed person, as the services apply them; forms ask
    this instead of repeating them. Normalises `person.email` in place."""
    _validate_person(person)


def _validate_person(person: Person) -> None:
    if person.anonymised_at is None:
        person.email = person.email.strip().lower()
    if not person.active and person.left_on is None:
        raise ValidationError({"left_on": _("A person who is no longer active needs a left date.")})
    if person.active:
        person.left_on = None
    elif error := bounds.date_error(person.left_on):
        raise ValidationError({"left_on": error})
    if person.manager_id is not None and person.pk is not None:
        # Walk up the chain: a person may not (indirectly) manage themselves.
        seen = {person.pk}
        current = person.manager_id
        while current is not None:
            if current in seen:
                raise ValidationError({"manager": _("This would make a manager cycle.")})
            seen.add(current)
            current = Person.objects.filter(pk=current).values_list("manager_id", flat=True)[0]
    if Person.objects.filter(email__iexact=person.email).exclude(pk=person.pk).exists():
        raise ValidationError({"email": _("A person with this email address already exists.")})
    if (
        person.employee_number
        and Person.objects.filter(employee_number=person.employee_number)
        .exclude(pk=person.pk)
        .exists()
    ):
        raise ValidationError(
            {"employee_number": _("A person with this employee number already exists.")}
        )
    person.full_clean(validate_unique=False, validate_constraints=False)


@transaction.atomic
def person_create(
    *,
    name: str,
    email: str,
    org_unit: OrgUnit,
    employee_number: str = "",
    job_category: JobCategory | None = None,
    manager: Person | None = None,
    active: bool = True,
    left_on: dt.date | None = None,
    by: User | None = None,
) -> Person:
    policy.require(by, policy.Action.PERSON_MANAGE, org_unit, field="org_unit")
    if manager is not None:
        policy.require(by, policy.Action.PERSON_VIEW, manager, field="manager")
    person = Person(
        name=name,
        email=email,
        employee_number=employee_number or "",
        org_unit=org_unit,
        job_category=job_category,
        manager=manager,
        active=active,
        left_on=left_on,
    )
    _validate_person(person)
    person.save()
    audit.log(
        person,
        "lms.person.create",
        by=by,
        data={
            "org_unit_id": org_unit.pk,
            "job_category_id": job_category.pk if job_category else None,
            "manager_id": manager.pk if manager else None,
            "active": active,
        },
    )
    return person


@transaction.atomic
def person_update(*, person: Person, by: User | None = None, **fields: Any) -> Person:
    """Change any of PERSON_EDITABLE_FIELDS. Logs which fields changed (values only if not
    personal data)."""
    unknown = set(fields) - set(PERSON_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"person_update() cannot change {', '.join(sorted(unknown))}")
    person = Person.objects.select_related("org_unit").select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise ValidationError(_("An anonymised person cannot be changed."))
    policy.require(by, policy.Action.PERSON_MANAGE, person)
    if "org_unit" in fields and _fk_value(fields["org_unit"]) != person.org_unit_id:
        policy.require(by, policy.Action.PERSON_MANAGE, fields["org_unit"], field="org_unit")
    if fields.get("manager") is not None and _fk_value(fields["manager"]) != person.manager_id:
        policy.require(by, policy.Action.PERSON_VIEW, fields["manager"], field="manager")
    if "employee_number" in fields and fields["employee_number"] is None:
        fields["employee_number"] = ""
    if fields.get("active") is True and "left_on" not in fields:
        fields["left_on"] = None
    changed = _changes(person, fields, PERSON_PERSONAL_FIELDS)
    if not changed:
        return person
    _validate_person(person)
    person.save()
    if "active" in changed["fields"] and person.user_id is not None:
        # Roles of someone who left stop counting (policy._assignments); they count again on return.
        roles_changed_send(user_ids=[person.user_id])
    audit.log(person, "lms.person.update", by=by, data=changed)
    return person


@transaction.atomic
def person_mark_left(*, person: Person, left_on: dt.date, by: User | None = None) -> Person:
    """Idempotent: a person already marked left keeps their first left date."""
    person = Person.objects.select_related("org_unit").select_for_update().get(pk=person.pk)
    policy.require(by, policy.Action.PERSON_MANAGE, person)
    if not person.active:
        return person
    if error := bounds.date_error(left_on):
        raise ValidationError({"left_on": error})
    person.active = False
    person.left_on = left_on
    person.save(update_fields=["active", "left_on", "updated_at"])
    if person.user_id is not None:
        roles_changed_send(user_ids=[person.user_id])
    audit.log(
        person,
        "lms.person.mark_left",
        by=by,
        data={"left_on": left_on.isoformat()},
    )
    return person


def _anonymised_values(person: Person) -> dict[str, Any]:
    return {
        "name": ANONYMOUS_NAME,
        "email": f"anonymised-{person.pk}@invalid",
        "employee_number": "",
        "manager": None,
        "user": None,
    }


@transaction.atomic
def person_anonymise(*, person: Person, by: User | None = None) -> Person:
    """Replace the personal data of someone who left by non-identifying values. Never deletes:
    attendance, evidence and coverage keep counting the row."""
    person = Person.objects.select_related("org_unit").select_for_update().get(pk=person.pk)
    policy.require(by, policy.Action.PERSON_MANAGE, person)
    if person.anonymised_at is not None:
        return person
    if person.active:
        raise ValidationError(_("Only people who have left can be anonymised."))
    user_id = person.user_id
    for name, value in _anonymised_values(person).items():
        setattr(person, name, value)
    person.anonymised_at = timezone.now()
    person.save()
    # Nobody may keep reporting to an anonymised row by name.
    Person.objects.filter(manager=person).update(manager=None, updated_at=timezone.now())
    _users_anonymise([user_id] if user_id else [], by=by)
    audit.log(
        person,
        "lms.person.anonymise",
        by=by,
        data={"user_id": user_id} if user_id else {},
    )
    return person


def _users_anonymise(user_ids: list[int], *, by: User | None) -> None:
    """Close the accounts of anonymised people and strip what identifies them.

    The rows stay (log entries and past actions point at them), but nobody can sign in as them
    again: no password login (inactive), no email to reset to or confirm (allauth's addresses
    deleted, the login address replaced), no single sign-on (social accounts, with their tokens,
    deleted) and no roles to come back to.
    """
    if not user_ids:
        return
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    User.objects.filter(pk__in=user_ids).update(
        is_active=False,
        email=Concat(Value("anonymised-user-"), Cast("pk", CharField()), Value("@invalid")),
        first_name="",
        last_name="",
    )
    EmailAddress.objects.filter(user_id__in=user_ids).delete()
    SocialAccount.objects.filter(user_id__in=user_ids).delete()
    for assignment in RoleAssignment.objects.filter(user_id__in=user_ids):
        audit.log(
            assignment,
            "lms.role.delete",
            by=by,
            data={
                "user_id": assignment.user_id,
                "role": assignment.role,
                "org_unit_id": assignment.org_unit_id,
                "reason": "anonymised",
            },
        )
        assignment.delete()
    roles_changed_send(user_ids=user_ids)


def people_anonymise_expired(*, today: dt.date, by: User | None = None) -> int:
    """Anonymise everyone who left more than LMS_PERSON_RETENTION_DAYS before `today` and is not
    anonymised yet. Idempotent; returns how many rows it anonymised."""
    cutoff = today - dt.timedelta(days=settings.LMS_PERSON_RETENTION_DAYS)
    due = Person.objects.filter(
        active=False, left_on__lt=cutoff, anonymised_at__isnull=True
    ).order_by("pk")
    count = 0
    # Chunks keep each transaction (and SQLite's write lock) short on a large roster.
    while ids := list(due.values_list("pk", flat=True)[:500]):
        count += _anonymise_chunk(ids, by=by)
    return count


@transaction.atomic
def _anonymise_chunk(ids: list[int], *, by: User | None) -> int:
    """One UPDATE for the chunk and one INSERT for its log entries: constant values, and the
    email built from the primary key in SQL."""
    now = timezone.now()
    rows = list(
        Person.objects.select_for_update()
        .filter(pk__in=ids, anonymised_at__isnull=True)
        .values_list("pk", "user_id")
    )
    ids = [pk for pk, _user_id in rows]
    user_of = {pk: user_id for pk, user_id in rows if user_id is not None}
    Person.objects.filter(pk__in=ids).update(
        name=ANONYMOUS_NAME,
        email=Concat(Value("anonymised-"), Cast("pk", CharField()), Value("@invalid")),
        employee_number="",
        manager=None,
        user=None,
        anonymised_at=now,
        updated_at=now,
    )
    Person.objects.filter(manager_id__in=ids).update(manager=None, updated_at=now)
    _users_anonymise(sorted(user_of.values()), by=by)
    audit.log_many(
        Person,
        (
            (pk, "lms.person.anonymise", {"reason": "retention", "user_id": user_of.get(pk)})
            for pk in ids
        ),
        by=by,
        timestamp=now,
    )
    return len(ids)


# --- Role assignments ---------------------------------------------------------------------------


@transaction.atomic
def role_assignment_create(
    *, user: User, role: Role | str, org_unit: OrgUnit, by: User | None = None
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    role = Role(role)
    if by is not None and not policy.may_assign_role(by, role=role, org_unit=org_unit):
        _deny(_("You may only hand out roles over units within your area."), "org_unit")
    if by is not None and not policy.assignable_users(by).filter(pk=user.pk).exists():
        _deny(_("You may only hand out roles to people within your area."), "user")
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
        _deny(_("You may only revoke roles over units within your area."))
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
