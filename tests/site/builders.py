"""Data and helpers the site tests share."""

from django.contrib.auth.models import Group

from lms.site.services import editors
from lms.site.services.pages import ContactData

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


def group_of(home) -> Group:
    group = editors.editor_group_for(home)
    assert group is not None
    return group


def members(home) -> set[int]:
    return set(group_of(home).user_set.values_list("pk", flat=True))
