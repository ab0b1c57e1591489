"""Every change to requirements: which job categories in which org subtree must hold a competence.

Each function is keyword-only; an acting user (`by`) is checked against the access policy (`by=None`
is the system). Wagtail's audit log gets ids and codes only, never names.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms import audit
from lms.competence import access
from lms.competence.lib.changes import fields_apply
from lms.competence.models import Competence, Requirement
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User

A = access.Action


def requirement_validate(
    *, competence: Competence, org_unit: OrgUnit, job_categories: list, exclude=None
) -> None:
    """Raises a ValidationError by field; forms call it too, to show the same clear messages."""
    errors = {}
    if not job_categories:
        errors["job_categories"] = _("Choose at least one job category.")
    if not access.competence_usable_at(org_unit, competence):
        errors["competence"] = _(
            "This competence belongs to another municipality: choose a shared one or your own."
        )
    duplicate = Requirement.objects.filter(competence=competence, org_unit=org_unit)
    if duplicate.exclude(pk=exclude).exists():
        errors["org_unit"] = _(
            "This competence is already required in this unit: add the job categories there."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def requirement_create(
    *,
    competence: Competence,
    org_unit: OrgUnit,
    job_categories: Iterable[JobCategory],
    by: User | None = None,
) -> Requirement:
    policy.require(by, A.REQUIREMENT_MANAGE, org_unit, field="org_unit")
    job_categories = list(job_categories)
    requirement_validate(competence=competence, org_unit=org_unit, job_categories=job_categories)
    requirement = Requirement.objects.create(competence=competence, org_unit=org_unit)
    requirement.job_categories.set(job_categories)
    audit.log(
        requirement,
        "lms.requirement.create",
        by=by,
        title=str(requirement),
        data={
            "competence_id": competence.pk,
            "org_unit_id": org_unit.pk,
            "job_category_ids": sorted(c.pk for c in job_categories),
        },
    )
    return requirement


@transaction.atomic
def requirement_update(
    *,
    requirement: Requirement,
    competence: Competence,
    org_unit: OrgUnit,
    job_categories: Iterable[JobCategory],
    by: User | None = None,
) -> Requirement:
    requirement = Requirement.objects.select_for_update().get(pk=requirement.pk)
    # Both where it applies now and where it is moved to must be inside the user's area.
    policy.require(by, A.REQUIREMENT_MANAGE, requirement.org_unit)
    policy.require(by, A.REQUIREMENT_MANAGE, org_unit, field="org_unit")
    job_categories = list(job_categories)
    requirement_validate(
        competence=competence,
        org_unit=org_unit,
        job_categories=job_categories,
        exclude=requirement.pk,
    )
    changed = fields_apply(requirement, {"competence": competence, "org_unit": org_unit})
    if changed:
        requirement.save(update_fields=[*changed["fields"], "updated_at"])
    old_ids = sorted(requirement.job_categories.values_list("pk", flat=True))
    new_ids = sorted(c.pk for c in job_categories)
    if old_ids != new_ids:
        requirement.job_categories.set(job_categories)
        changed = changed or {"fields": [], "values": {}}
        changed["fields"].append("job_categories")
        changed["values"]["job_categories"] = {"old": old_ids, "new": new_ids}
    if changed:
        audit.log(
            requirement, "lms.requirement.update", by=by, title=str(requirement), data=changed
        )
    return requirement


@transaction.atomic
def requirement_delete(*, requirement: Requirement, by: User | None = None) -> None:
    """A requirement is a rule, not a record: it may go. The evidence people hold stays."""
    policy.require(by, A.REQUIREMENT_MANAGE, requirement.org_unit)
    audit.log(
        requirement,
        "lms.requirement.delete",
        by=by,
        title=str(requirement),
        data={"competence_id": requirement.competence_id, "org_unit_id": requirement.org_unit_id},
    )
    requirement.delete()
