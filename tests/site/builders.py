"""Data the site tests share."""

from lms.site.services import ContactData

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
