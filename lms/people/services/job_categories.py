"""Every change to job categories.

Each function is keyword-only, checks the access policy when an acting user (`by`) is given, and
writes Wagtail's audit log so that staff see the change in the admin's history. Log entries never
carry names or email addresses (only ids and field names): they outlive anonymisation.
"""

from __future__ import annotations

from django.db import transaction

from lms import audit
from lms.people import policy
from lms.people.lib.changes import changes_apply
from lms.people.models import JobCategory, User


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
    changed = changes_apply(
        category, {"code": code, "name": name, "is_frontline": is_frontline}, frozenset()
    )
    if not changed:
        return category
    category.full_clean()
    category.save(update_fields=changed["fields"])
    audit.log(category, "lms.jobcategory.update", by=by, title=str(category), data=changed)
    return category
