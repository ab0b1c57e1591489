"""The demo gains the two competences, their requirements and evidence; loading is idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from wagtail.models import ModelLogEntry

from lms.competence.models import Competence, Evidence, Requirement
from lms.competence.selectors import status as selectors
from lms.competence.selectors.status import Status
from lms.people.models import OrgUnit, Person
from tests.factories import wagtail_roots_ensure

pytestmark = pytest.mark.django_db


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        yield load()
        transaction.set_rollback(True)


def test_the_competences_and_requirements(demo):
    assert "Competences: 2 competences, 2 requirements" in demo
    names = set(Competence.objects.values_list("name", flat=True))
    assert names == {"Kender bekymringstegn", "Ved hvordan en bekymring videregives"}
    municipality = OrgUnit.objects.get(code="HJK")
    for requirement in Requirement.objects.all():
        assert requirement.org_unit == municipality
        categories = set(requirement.job_categories.values_list("is_frontline", flat=True))
        assert categories == {True}
        assert requirement.job_categories.count() >= 15


def test_the_employee_login_has_one_valid_and_one_expiring(demo):
    person = Person.objects.get(email="medarbejder@demo.infohus.dk")
    got = {
        s.competence.name: s.status for s in selectors.competence_status_for_person(person=person)
    }
    assert got == {
        "Kender bekymringstegn": Status.VALID,
        "Ved hvordan en bekymring videregives": Status.EXPIRING,
    }


def test_the_municipality_has_every_status(demo):
    bulk = selectors.competence_status_for_subtree(unit=OrgUnit.objects.get(code="HJK"))
    seen = {item.status for items in bulk.values() for item in items}
    assert seen == {Status.VALID, Status.EXPIRING, Status.EXPIRED, Status.MISSING}
    assert Evidence.objects.count() > 100


def test_a_second_load_adds_nothing(demo):
    counts = (
        Competence.objects.count(),
        Requirement.objects.count(),
        Evidence.objects.count(),
        ModelLogEntry.objects.count(),
    )
    assert "Nothing to add: the demo data is already loaded." in load()
    assert counts == (
        Competence.objects.count(),
        Requirement.objects.count(),
        Evidence.objects.count(),
        ModelLogEntry.objects.count(),
    )
