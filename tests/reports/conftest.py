"""The hand-computed coverage fixture (builders.coverage_build) and a user per role."""

import pytest

from lms.people.models import Role
from tests.reports.builders import competences_make, coverage_build, jobs_make


@pytest.fixture
def jobs(db):
    return jobs_make()


@pytest.fixture
def competences(db):
    return competences_make()


@pytest.fixture
def coverage_data(tree, jobs, competences):
    return coverage_build(tree, jobs, competences)


@pytest.fixture
def roles(coverage_data, make_staff, mfa):
    """A user per role: the steering group, coordinator and department contact of HJ (over HJ,
    HJ and HJ-BFU), the institution coordinator of HJ-GYM, and FR's steering group."""
    tree = coverage_data["tree"]

    def staff(role, unit):
        return mfa(make_staff(role, unit))

    return {
        "steering": staff(Role.STEERING_GROUP, tree["HJ"]),
        "coordinator": staff(Role.COORDINATOR, tree["HJ"]),
        "contact": staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
        "institution": staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]),
        "foreign": staff(Role.STEERING_GROUP, tree["FR"]),
    }
