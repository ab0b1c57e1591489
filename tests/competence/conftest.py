import pytest

from tests.factories import CompetenceFactory, JobCategoryFactory, PersonFactory, requirement


@pytest.fixture
def jobs(db):
    return {
        "teacher": JobCategoryFactory(code="TEACHER", name="Lærer"),
        "pedagogue": JobCategoryFactory(code="PEDAGOGUE", name="Pædagog"),
        "admin": JobCategoryFactory(code="ADMIN", name="Administrativ", is_frontline=False),
    }


@pytest.fixture
def signs(db):
    return CompetenceFactory(code="SIGNS", name="Kender bekymringstegn", validity_months=24)


@pytest.fixture
def passing_on(db):
    return CompetenceFactory(
        code="PASS_ON", name="Ved hvordan en bekymring videregives", validity_months=None
    )


@pytest.fixture
def required(tree, jobs, signs, passing_on):
    """HJ requires both competences of teachers and pedagogues; FR requires signs of teachers."""
    return {
        "hj_signs": requirement(
            competence=signs,
            org_unit=tree["HJ"],
            job_categories=[jobs["teacher"], jobs["pedagogue"]],
        ),
        "hj_pass_on": requirement(
            competence=passing_on, org_unit=tree["HJ-BFU"], job_categories=[jobs["teacher"]]
        ),
        "fr_signs": requirement(
            competence=signs, org_unit=tree["FR"], job_categories=[jobs["teacher"]]
        ),
    }


@pytest.fixture
def teacher(tree, jobs):
    return PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=jobs["teacher"])
