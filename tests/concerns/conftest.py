import uuid
from dataclasses import dataclass

import pytest

from lms.people.models import OrgUnit, Role, User
from lms.site.services.pages import site_seed
from tests.factories import PersonFactory, UserFactory, org_unit


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """`with sent():` runs what the block enqueued after commit (the mails), as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def intake_site(tree, cache_fresh):
    """The site of Hjørring's Infohus: its home page names the HJ unit, so concerns reported on
    it belong to HJ. The intake's rate-limit counters start at nought (cache_fresh)."""
    return site_seed(
        infohus_name="Infohus Hjørring", organisation_name="Hjørring Kommune", org_unit=tree["HJ"]
    )


@dataclass
class Cast:
    units: dict
    coordinator: User
    ssp: User
    police: User
    contact: User
    other_contact: User
    institution: User
    steering: User
    other_coordinator: User
    other_ssp: User
    superuser: User
    employee: User


@pytest.fixture
def cast(tree, make_staff, mfa) -> Cast:
    units = dict(tree)
    units["HJ-SAEH"] = org_unit(
        code="HJ-SAEH", name="HJ SÆH", kind=OrgUnit.Kind.ADMINISTRATION, parent=tree["HJ"]
    )
    units["HJ-SAEH"].refresh_from_db()

    def staff(role, unit, **fields):
        return mfa(make_staff(role, unit, **fields))

    employee = UserFactory(email="medarbejder@example.dk")
    PersonFactory(
        email=employee.email, name="Anna Medarbejder", org_unit=units["HJ-SKOLE"], user=employee
    )
    return Cast(
        units=units,
        coordinator=staff(Role.COORDINATOR, units["HJ"], email="tovholder@example.dk"),
        ssp=staff(Role.SSP_CONSULTANT, units["HJ"], email="ssp@example.dk"),
        police=staff(Role.POLICE_REPRESENTATIVE, units["HJ"], email="politi@example.dk"),
        contact=staff(Role.DEPARTMENT_CONTACT, units["HJ-BFU"], email="bfu@example.dk"),
        other_contact=staff(Role.DEPARTMENT_CONTACT, units["HJ-SAEH"], email="saeh@example.dk"),
        institution=staff(Role.INSTITUTION_COORDINATOR, units["HJ-GYM"]),
        steering=staff(Role.STEERING_GROUP, units["HJ"]),
        other_coordinator=staff(Role.COORDINATOR, units["FR"], email="fr@example.dk"),
        other_ssp=staff(Role.SSP_CONSULTANT, units["FR"], email="fr-ssp@example.dk"),
        superuser=mfa(UserFactory(is_superuser=True, is_staff=True)),
        employee=employee,
    )


def citizen_post(**overrides) -> dict:
    data = {
        "submission": str(uuid.uuid4()),
        "age_group": "under_18",
        "description": "Min nabos søn taler om at slutte sig til en voldelig gruppe.",
        "subject_name": "Peter Nabosen",
        "anonymous": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def professional_post(**overrides) -> dict:
    data = {
        "submission": str(uuid.uuid4()),
        "age_group": "under_18",
        "description": "En elev har delt voldsforherligende materiale i klassen.",
        "subject_name": "Elev Eleven",
        "reporter_name": "Anna Medarbejder",
        "reporter_phone": "12 34 56 78",
        "reporter_email": "medarbejder@example.dk",
        "leader_knows": "yes",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
