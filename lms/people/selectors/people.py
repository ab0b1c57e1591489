"""Reads of the roster that views and reports share."""

from __future__ import annotations

from lms.people.models import OrgUnit, Person


def person_for_user(*, user) -> Person | None:
    if not user.is_authenticated:
        return None
    return (
        Person.objects.select_related("org_unit", "job_category", "manager")
        .filter(user=user)
        .first()
    )


def org_unit_subtree(*, unit: OrgUnit):
    return OrgUnit.objects.filter(path__startswith=unit.path).order_by("path")
