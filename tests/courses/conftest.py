import pytest

from tests.factories import CompetenceFactory, JobCategoryFactory

from .builders import catalogue_make, course_make, learner_make


@pytest.fixture
def catalogue(db):
    return catalogue_make()


@pytest.fixture
def competence(db):
    return CompetenceFactory(code="BEKYMRING", name="Kender bekymringstegn", validity_months=24)


@pytest.fixture
def teacher(db):
    return JobCategoryFactory(code="TEACHER", name="Lærer")


@pytest.fixture
def make_learner(db, tree, teacher):
    def make(unit_code: str = "HJ-SKOLE", **kwargs):
        kwargs.setdefault("job_category", teacher)
        return learner_make(tree[unit_code], **kwargs)

    return make


@pytest.fixture
def make_course(db, catalogue, tree):
    def make(**kwargs):
        kwargs.setdefault("audience_units", [tree["HJ"]])
        return course_make(catalogue, **kwargs)

    return make
