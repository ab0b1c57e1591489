"""The pocket Action Card prints text beyond Latin-1: names and words of every staff member."""

import pytest
from django.urls import reverse

from attendance import services
from lms.site.services.pages import ContactData, site_seed
from tests.pdf import pdf_text

NAME = "Łukasz Çelik Nguyễn"


@pytest.fixture
def site(db):
    return site_seed(
        infohus_name="Infohus Hjørring",
        contacts=[ContactData(name=NAME, title="SSP", phone="72 33 33 33")],
    )


def test_the_card_pdf_prints_latin_extended_and_vietnamese(client, site, make_card, coordinators):
    card = make_card(title="Handlekort: Đừng chờ, Łódź, Çanakkale")
    services.version_draft_create(card=card, by=coordinators["author"])

    response = client.get(reverse("cards:pdf", args=(card.slug,)))

    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Handlekort: Đừng chờ, Łódź, Çanakkale" in text
    assert f"{NAME}: 72 33 33 33" in text  # the Infohus contact on the back
    assert "Trækker sig fra venner og fællesskaber" in text
