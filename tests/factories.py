"""factory_boy factories shared by the whole suite."""

import factory
from factory.django import DjangoModelFactory

from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.dk")
    password = factory.PostGenerationMethodCall("set_password", "korrekt-hest-batteri")

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


# --- Competence ledger (lms.competence) ---------------------------------------------------------


class CompetenceFactory(DjangoModelFactory):
    class Meta:
        model = "competence.Competence"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"COMP{n}")
    name = factory.Sequence(lambda n: f"Competence {n}")
    validity_months = 24


def requirement(*, competence, org_unit, job_categories):
    """A Requirement with its job categories (an M2M needs the row saved first)."""
    from lms.competence.models import Requirement

    row = Requirement.objects.create(competence=competence, org_unit=org_unit)
    row.job_categories.set(job_categories)
    return row
