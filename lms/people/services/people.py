"""Every change to the roster: people created, changed, leaving, anonymised after the retention
period.

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
from lms.people.lib.changes import changes_apply, fk_value
from lms.people.models import JobCategory, OrgUnit, Person, RoleAssignment, User
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
    if "org_unit" in fields and fk_value(fields["org_unit"]) != person.org_unit_id:
        policy.require(by, policy.Action.PERSON_MANAGE, fields["org_unit"], field="org_unit")
    if fields.get("manager") is not None and fk_value(fields["manager"]) != person.manager_id:
        policy.require(by, policy.Action.PERSON_VIEW, fields["manager"], field="manager")
    if "employee_number" in fields and fields["employee_number"] is None:
        fields["employee_number"] = ""
    if fields.get("active") is True and "left_on" not in fields:
        fields["left_on"] = None
    changed = changes_apply(person, fields, PERSON_PERSONAL_FIELDS)
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
