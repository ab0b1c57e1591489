"""The default audience of an Infohus (models.AudienceDefault): who its sends reach when nobody
chooses, and what the admin prefills. Changed by those who may write its sends."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from lms import audit
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User
from newsletters import access
from newsletters.models import AudienceDefault
from newsletters.services.sends import audience_check

__all__ = ["audience_default_set"]


@transaction.atomic
def audience_default_set(
    *,
    org_unit: OrgUnit,
    units: Iterable[OrgUnit],
    job_categories: Iterable[JobCategory] = (),
    include_externals: bool = False,
    by: User | None,
) -> AudienceDefault:
    """Set the default audience of the Infohus `org_unit`: units under it and in `by`'s SEND
    scope (none: the whole Infohus unit), job categories (none: all), externals or not."""
    policy.require(by, access.WRITE, org_unit)
    units = list({u.pk: u for u in units}.values())
    if units:
        audience_check(org_unit=org_unit, units=units, by=by, field="units")
    setting, _created = AudienceDefault.objects.update_or_create(
        org_unit=org_unit, defaults={"include_externals": include_externals}
    )
    setting.units.set(units)
    categories = list(job_categories)
    setting.job_categories.set(categories)
    audit.log(
        setting,
        "lms.newsletter_audience_default.set",
        by=by,
        data={
            "units": sorted(u.pk for u in units),
            "job_categories": sorted(c.pk for c in categories),
            "include_externals": include_externals,
        },
    )
    return setting
