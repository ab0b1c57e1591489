import pytest

from lms.site.services.pages import ContactData, site_seed

DEMO_CONTACTS = [
    ContactData(
        name="Mette Sørensen",
        title="SSP-konsulent",
        phone="72 33 33 33",
        email="mette.sorensen@example.dk",
    ),
    ContactData(
        name="Jens Kristensen",
        title="Forebyggelsesmedarbejder, Lokalpoliti Hjørring",
        phone="72 58 14 48",
        email="jens.kristensen@example.dk",
    ),
]


@pytest.fixture
def seeded_site(db):
    return site_seed(
        infohus_name="Infohus Hjørring",
        organisation_name="Hjørring Kommune",
        contacts=DEMO_CONTACTS,
    )
