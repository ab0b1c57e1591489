"""The edition's page types: where they live, and that they render (the image's alt text too)."""

from __future__ import annotations

from io import BytesIO

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from lms.site.models import HomePage, InformationPage
from newsletters.models import NewsletterIndexPage, NewsletterPage

from .conftest import BODY, edition_make


def image_make() -> Image:
    buffer = BytesIO()
    PILImage.new("RGB", (40, 20), "blue").save(buffer, "PNG")
    return Image.objects.create(title="Infohus", file=ImageFile(buffer, name="infohus.png"))


class NewsletterPageTypesTests(WagtailPageTestCase):
    def test_where_they_live(self):
        self.assertCanCreateAt(HomePage, NewsletterIndexPage)
        self.assertCanCreateAt(NewsletterIndexPage, NewsletterPage)
        self.assertCanNotCreateAt(HomePage, NewsletterPage)
        self.assertCanNotCreateAt(InformationPage, NewsletterIndexPage)
        self.assertCanNotCreateAt(Page, NewsletterIndexPage)
        self.assertAllowedSubpageTypes(NewsletterPage, set())

    def test_an_edition_with_every_block_renders_on_the_web_and_in_the_mail(self):
        from newsletters.emails.editions import edition_render
        from newsletters.models import Send
        from tests.factories import org_unit

        edition = edition_make()
        image = image_make()
        edition.body = [
            *BODY,
            {
                "type": "image",
                "value": {"image": image.pk, "alt_text": "Tre kolleger", "caption": ""},
            },
            {
                "type": "video",
                "value": {
                    "url": "https://example.dk/film",
                    "title": "Filmen om Infohuset",
                    "transcript": "<p>Hvad Infohuset gør.</p>",
                },
            },
        ]
        edition.save_revision().publish()
        edition = NewsletterPage.objects.get(pk=edition.pk)
        self.assertPageIsRoutable(edition)
        self.assertPageIsRenderable(edition)
        self.assertPageIsRenderable(NewsletterIndexPage.objects.get())
        send = Send(edition=edition, org_unit=org_unit(code="HJ"))
        send.save()
        rendered = edition_render(send=send)
        assert 'alt="Tre kolleger"' in rendered.html_internal
        assert 'src="http://127.0.0.1:8000/' in rendered.html_internal
        assert "[Tre kolleger]" in rendered.text_internal
        assert "Filmen om Infohuset: https://example.dk/film" in rendered.text_internal
        assert "Se videoen: Filmen om Infohuset" in rendered.html_internal
