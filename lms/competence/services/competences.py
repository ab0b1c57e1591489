"""Every change to competences: the skills the ledger records, a municipality's own or shared.

Each function is keyword-only; an acting user (`by`) is checked against the access policy (`by=None`
is the system). Wagtail's audit log gets ids and codes only, never names.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lms import audit, bounds
from lms.competence import access
from lms.competence.lib.changes import fields_apply, value_json
from lms.competence.models import Competence, Requirement
from lms.people import policy
from lms.people.models import OrgUnit, User

A = access.Action


def _validate_competence(
    *, code: str, name: str, validity_months: int | None, owner: OrgUnit | None, exclude=None
):
    errors = {}
    if not code.strip():
        errors["code"] = _("Enter a code.")
    elif Competence.objects.filter(code=code.strip()).exclude(pk=exclude).exists():
        errors["code"] = _("A competence with this code already exists.")
    if not name.strip():
        errors["name"] = _("Enter a name.")
    bounds.check(
        errors,
        "validity_months",
        bounds.number_error(validity_months, bounds.VALIDITY_MONTHS, required=False),
    )
    if exclude is not None and owner is not None:
        # A requirement elsewhere would name a competence it may no longer use.
        outside = (
            Requirement.objects.filter(competence_id=exclude)
            .exclude(org_unit__path__startswith=owner.path)
            .select_related("org_unit")
        )
        if outside:
            errors["owner"] = _(
                "Units outside the new owner require this competence: %(units)s."
            ) % {"units": ", ".join(sorted({r.org_unit.name for r in outside}))}
    if errors:
        raise ValidationError(errors)


def _require_owner(by: User | None, owner: OrgUnit | None) -> None:
    """Only a regional Infohus or a superuser keeps shared competences; a coordinator their
    municipality's own."""
    if by is not None and not access.may_own_competence(by, owner):
        message = (
            _("Only a regional Infohus or an administrator may change shared competences.")
            if owner is None
            else _("You do not have permission to do this here.")
        )
        raise ValidationError(message, code="permission_denied")


@transaction.atomic
def competence_create(
    *,
    code: str,
    name: str,
    description: str = "",
    validity_months: int | None = None,
    active: bool = True,
    owner: OrgUnit | None = None,
    by: User | None = None,
) -> Competence:
    """A new competence, owned by `owner` (a municipality) or shared by all (None)."""
    policy.require(by, A.COMPETENCE_MANAGE)
    _require_owner(by, owner)
    _validate_competence(code=code, name=name, validity_months=validity_months, owner=owner)
    competence = Competence.objects.create(
        code=code.strip(),
        name=name.strip(),
        description=description,
        validity_months=validity_months,
        active=active,
        owner=owner,
    )
    audit.log(
        competence,
        "lms.competence.create",
        by=by,
        title=str(competence),
        data={
            "code": competence.code,
            "validity_months": validity_months,
            "owner_id": value_json(owner),
        },
    )
    return competence


@transaction.atomic
def competence_update(
    *,
    competence: Competence,
    code: str,
    name: str,
    description: str,
    validity_months: int | None,
    active: bool,
    owner: OrgUnit | None | object = ...,
    by: User | None = None,
) -> Competence:
    """A new validity applies to evidence recorded from now on; recorded expiry dates stay.

    Only whoever may manage the competence as it is now (its owner's coordinators; for a shared
    one a regional Infohus or a superuser) changes it; a new owner must be theirs too."""
    competence = (
        Competence.objects.select_for_update(of=("self",))
        .select_related("owner")
        .get(pk=competence.pk)
    )
    _require_owner(by, competence.owner)
    if owner is ...:
        owner = competence.owner
    elif owner != competence.owner:
        _require_owner(by, owner)
    _validate_competence(
        code=code,
        name=name,
        validity_months=validity_months,
        owner=owner,
        exclude=competence.pk,
    )
    changed = fields_apply(
        competence,
        {
            "code": code.strip(),
            "name": name.strip(),
            "description": description,
            "validity_months": validity_months,
            "active": active,
            "owner": owner,
        },
    )
    if changed:
        competence.save(update_fields=changed["fields"])
        audit.log(competence, "lms.competence.update", by=by, title=str(competence), data=changed)
    return competence
