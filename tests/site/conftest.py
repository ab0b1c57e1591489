import pytest

from lms.site.services import site_seed

from .builders import DEMO_CONTACTS


@pytest.fixture
def seeded_site(db):
    return site_seed(
        infohus_name="Infohus Hjørring",
        organisation_name="Hjørring Kommune",
        contacts=DEMO_CONTACTS,
    )
