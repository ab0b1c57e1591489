import pytest

from courses.models import CourseIndexPage
from tests.conftest import shared_open, tree_shared
from tests.factories import CompetenceFactory, JobCategoryFactory

from .builders import catalogue_make, course_make, learner_make


@pytest.fixture(autouse=True)
def _tree_module(tree_module):
    """Every test of the module starts from the same tree, whether it asks for it or not."""


@pytest.fixture
def tree(db, tree_module):
    """The org tree, built once per module (see module_db)."""
    return tree_shared(tree_module)


@pytest.fixture(scope="module")
def catalogue_module(module_db):
    """The site with its course catalogue, built once per module (see module_db): the primary key
    of the catalogue page, or None."""
    if module_db is None:
        return None
    with module_db.unblock():
        return catalogue_make().pk


@pytest.fixture
def catalogue(db, catalogue_module):
    if not shared_open(catalogue_module):
        return catalogue_make()
    return CourseIndexPage.objects.get(pk=catalogue_module)


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
