import pytest
from wagtail.models import Site

from lms.site.models import HomePage, InformationPage
from lms.site.services.pages import SiteSeedResult, site_seed
from tests.conftest import shared_open, tree_shared

from .builders import DEMO_CONTACTS


@pytest.fixture(autouse=True)
def _tree_module(tree_module):
    """Every test of the module starts from the same tree, whether it asks for it or not."""


@pytest.fixture
def tree(db, tree_module):
    """The org tree, built once per module (see module_db)."""
    return tree_shared(tree_module)


def _seed() -> SiteSeedResult:
    return site_seed(
        infohus_name="Infohus Hjørring",
        organisation_name="Hjørring Kommune",
        contacts=DEMO_CONTACTS,
    )


@pytest.fixture(scope="module")
def seeded_site_module(module_db):
    """The seeded site, built once per module (see module_db): primary keys, or None."""
    if module_db is None:
        return None
    with module_db.unblock():
        seeded = _seed()
        return {
            "site": seeded.site.pk,
            "home": seeded.home.pk,
            "concern_page": seeded.concern_page.pk,
            "accessibility_page": seeded.accessibility_page.pk,
            "created": list(seeded.created),
        }


@pytest.fixture
def seeded_site(db, seeded_site_module) -> SiteSeedResult:
    if not shared_open(seeded_site_module):
        return _seed()
    pks = seeded_site_module
    return SiteSeedResult(
        site=Site.objects.get(pk=pks["site"]),
        home=HomePage.objects.get(pk=pks["home"]),
        concern_page=InformationPage.objects.get(pk=pks["concern_page"]),
        accessibility_page=InformationPage.objects.get(pk=pks["accessibility_page"]),
        created=list(pks["created"]),
    )
