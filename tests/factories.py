"""factory_boy factories shared by the whole suite."""

import factory
from django.conf import settings
from factory.django import DjangoModelFactory
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page

from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User

PASSWORD = "korrekt-hest-batteri"  # every UserFactory user's


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.dk")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def org_unit(*, code: str, name: str | None = None, kind=OrgUnit.Kind.WORKPLACE, parent=None):
    """Create an OrgUnit in the tree (treebeard needs add_root / add_child, not save)."""
    fields = {"code": code, "name": name or code, "kind": kind}
    if parent is None:
        return OrgUnit.add_root(**fields)
    parent.refresh_from_db()
    return parent.add_child(**fields)


class JobCategoryFactory(DjangoModelFactory):
    class Meta:
        model = JobCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"JC{n}")
    name = factory.Sequence(lambda n: f"Job category {n}")
    is_frontline = True


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.dk")
    employee_number = factory.Sequence(lambda n: f"E{n:05d}")
    job_category = factory.SubFactory(JobCategoryFactory)


class RoleAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = Role.COORDINATOR


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = "competence.Competence"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"COMP{n}")
    name = factory.Sequence(lambda n: f"Competence {n}")
    validity_months = 24


def requirement(*, competence, org_unit, job_categories):
    """A Requirement with its job categories, made by the system (no user)."""
    from lms.competence.services import requirements as services

    return services.requirement_create(
        competence=competence, org_unit=org_unit, job_categories=job_categories
    )


def wagtail_roots_ensure() -> None:
    """Put back the root page, locale and root collection that Wagtail's migrations create.

    A transactional test ends with a flush that empties every table; post_migrate signals bring
    back content types and permissions, but not Wagtail's migration data.
    """
    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")


def tree_make() -> dict[str, OrgUnit]:
    """Two municipalities, each with an administration, a workplace and an institution, by code."""
    units = {}
    for m in ("HJ", "FR"):
        mun = org_unit(code=m, name=f"{m} Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
        adm = org_unit(
            code=f"{m}-BFU", name=f"{m} BFU", kind=OrgUnit.Kind.ADMINISTRATION, parent=mun
        )
        wp = org_unit(code=f"{m}-SKOLE", name=f"{m} Skole", parent=adm)
        inst = org_unit(
            code=f"{m}-GYM", name=f"{m} Gymnasium", kind=OrgUnit.Kind.INSTITUTION, parent=mun
        )
        units.update({m: mun, f"{m}-BFU": adm, f"{m}-SKOLE": wp, f"{m}-GYM": inst})
    for unit in units.values():
        unit.refresh_from_db()
    return units
