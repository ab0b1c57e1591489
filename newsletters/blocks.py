"""StreamField blocks of a newsletter edition.

Each block renders twice from the same value: on the web page (its `template`) and in the mail
(`newsletters/mail/blocks/<name>.html`, through newsletters.emails.editions), where styles are
inlined and nothing is loaded from a third party.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from lms.site.blocks import AccessibleImageBlock

RICH_TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link"]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        label = _("Heading")
        template = "newsletters/blocks/heading.html"


class ImageBlock(AccessibleImageBlock):
    """An image whose text alternative is required: mail clients block images by default, and the
    alt text is then all a reader sees."""

    class Meta:
        template = "newsletters/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """A video as a link with its transcript: a mail cannot play it, and nothing is embedded."""

    url = blocks.URLBlock(label=_("Video address"))
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.RichTextBlock(
        label=_("Transcript"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Everything that is said and shown, for people who cannot watch or hear it."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "newsletters/blocks/video.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"), max_length=1000)
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "newsletters/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Button text"), max_length=80)
    url = blocks.URLBlock(label=_("Link"))

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "newsletters/blocks/call_to_action.html"


class NewsletterBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    rich_text = blocks.RichTextBlock(
        label=_("Text"), features=RICH_TEXT_FEATURES, template="newsletters/blocks/rich_text.html"
    )
    image = ImageBlock()
    video = VideoBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
