"""The public Action Card pages and the pocket PDF: no login, only approved versions."""

import re

import pytest
from django.urls import reverse

from attendance import services
from lms import pdf as pdf_helpers
from lms.site.services.pages import ContactData, site_seed
from tests.pdf import pdf_text


@pytest.fixture
def site(db):
    return site_seed(
        infohus_name="Infohus Hjørring",
        contacts=[ContactData(name="Mette Sørensen", title="SSP", phone="72 33 33 33")],
    )


def test_pdf_text_helper_reads_reportlab_output():
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=1)
    pdf.drawString(10, 10, "Æblegrød (med) fløde")
    pdf.save()
    assert "Æblegrød (med) fløde" in pdf_text(buffer.getvalue())


def test_card_page_needs_no_login_and_shows_the_numbers(client, site, make_card):
    card = make_card()
    response = client.get(reverse("cards:detail", args=(card.slug,)))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Handlekort for medarbejdere" in html
    assert "Trækker sig fra venner og fællesskaber" in html
    assert 'href="tel:112"' in html and 'href="tel:114"' in html
    assert 'href="tel:41749090"' in html  # the hotline from the site settings
    assert "alle dage kl. 8-22" in html.lower() or "Alle dage kl. 8-22" in html
    assert 'href="tel:72333333"' in html  # the Infohus contact
    assert "Version 1" in html or "<dd>1," in html
    assert reverse("cards:pdf", args=(card.slug,)) in html
    assert reverse("cards:versions", args=(card.slug,)) in html
    assert "max-age=300" in response["Cache-Control"]


def test_drafts_are_never_public(client, site, make_card, coordinators):
    lonely = make_card(slug="kladde", approve=False, title="Hemmelig kladde")
    for name in ("detail", "versions", "pdf"):
        assert client.get(reverse(f"cards:{name}", args=(lonely.slug,))).status_code == 404
    assert "Hemmelig kladde" not in client.get(reverse("cards:list")).content.decode()
    card = make_card()
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    services.version_update(version=draft, title="Ny kladde", by=coordinators["author"])
    assert client.get(reverse("cards:version", args=(card.slug, 2))).status_code == 404
    assert client.get(reverse("cards:pdf", args=(card.slug,)), {"version": 2}).status_code == 404
    # A malformed version number is a bad request (lms.parsing), never a server error.
    for bad in ("x", "²"):
        assert (
            client.get(reverse("cards:pdf", args=(card.slug,)), {"version": bad}).status_code == 400
        )
    for name in ("detail", "versions"):
        html = client.get(reverse(f"cards:{name}", args=(card.slug,))).content.decode()
        assert "Ny kladde" not in html


def test_old_versions_stay_readable(client, site, make_card, new_version):
    card = make_card()
    v2 = new_version(card, title="Handlekort, anden udgave")
    html = client.get(reverse("cards:detail", args=(card.slug,))).content.decode()
    assert "Handlekort, anden udgave" in html
    versions = client.get(reverse("cards:versions", args=(card.slug,))).content.decode()
    assert "Version 2" in versions and "Version 1" in versions
    assert "Erstattet" in versions and "Gældende" in versions
    assert "af Infohuset" in versions
    # No names of people on the public page: only "approved by the Infohus".
    assert v2.approved_by.email not in versions
    old = client.get(reverse("cards:version", args=(card.slug, 1)))
    assert old.status_code == 200
    text = old.content.decode()
    assert "Handlekort for medarbejdere" in text
    assert "Erstattet" in text and reverse("cards:detail", args=(card.slug,)) in text
    # The current version's number leads to the stable page.
    current = client.get(reverse("cards:version", args=(card.slug, 2)))
    assert current.status_code == 302
    assert current["Location"] == reverse("cards:detail", args=(card.slug,))
    assert client.get(reverse("cards:version", args=(card.slug, 7))).status_code == 404


def test_list(client, site, make_card):
    make_card()
    make_card(slug="akut", title="Akut: når der er fare", audience="acute")
    html = client.get(reverse("cards:list")).content.decode()
    assert "Akut: når der er fare" in html and reverse("cards:detail", args=("akut",)) in html


def test_pdf(client, site, make_card, new_version, monkeypatch):
    card = make_card()
    made = []
    real_make = pdf_helpers.segno.make

    def spy(content, **kwargs):
        made.append(content)
        return real_make(content, **kwargs)

    monkeypatch.setattr(pdf_helpers.segno, "make", spy)
    response = client.get(reverse("cards:pdf", args=(card.slug,)))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "public" in response["Cache-Control"]
    content = response.content
    assert content.startswith(b"%PDF-")
    # Two credit-card-size pages (85.6 x 54 mm in points).
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", content)
    assert len(boxes) == 2
    for width, height in boxes:
        assert float(width) == pytest.approx(85.6 / 25.4 * 72, abs=0.5)
        assert float(height) == pytest.approx(54 / 25.4 * 72, abs=0.5)
    # The QR code holds the stable public address, not a version's.
    assert made == ["http://testserver" + reverse("cards:detail", args=(card.slug,))]
    text = pdf_text(content)
    assert "Handlekort for medarbejdere" in text
    assert "Trækker sig fra venner og fællesskaber" in text
    assert "112" in text and "114" in text and "41 74 90 90" in text
    assert "testserver/handlekort/medarbejdere/" in text
    # An old version's PDF says it is superseded; its QR code still leads to the stable page.
    new_version(card)
    made.clear()
    old = client.get(reverse("cards:pdf", args=(card.slug,)), {"version": 1})
    assert old.status_code == 200
    assert "Erstattet" in pdf_text(old.content)
    assert made == ["http://testserver" + reverse("cards:detail", args=(card.slug,))]


# The card alone: the site, its settings and contacts come from the site cache (4 before).
CARD_PAGE_QUERIES = 1


def test_public_page_query_count_is_constant(client, site, make_card, coordinators, assert_queries):
    card = make_card()
    url = reverse("cards:detail", args=(card.slug,))
    assert_queries(CARD_PAGE_QUERIES, lambda: client.get(url))
    # Many versions, many signs and steps, many other cards and distributions: the same count.
    for _ in range(8):
        draft = services.version_draft_create(card=card, by=coordinators["author"])
        services.version_approve(version=draft, by=coordinators["approver"])
    for index in range(10):
        make_card(slug=f"kort-{index}")
    response = assert_queries(CARD_PAGE_QUERIES, lambda: client.get(url))
    assert response.status_code == 200
