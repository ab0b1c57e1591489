"""StreamField blocks of a newsletter edition.

Each block renders twice from the same value: on the web page (its `template`) and in the mail
(`newsletters/mail/blocks/<name>.html`, through newsletters.emails.editions), where styles are
inlined and nothing is loaded from a third party.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from lms.site import teasers
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


class _ReferenceField(forms.ChoiceField):
    """Accepts any reference to a registered kind, not only the chooser's current items: an
    edition that points at last season's meeting can still be saved."""

    def valid_value(self, value):
        return teasers.reference_parse(value) is not None


class ItemChooserBlock(blocks.ChoiceBlock):
    """A meeting, a course or an Action Card (whatever the features registered in
    lms.site.teasers), stored as a reference "<kind>:<id>"."""

    def get_field(self, **kwargs):
        return _ReferenceField(**kwargs)

    def normalize_choice(self, value):
        # ChoiceBlock looks the value up in its choices, which here are database queries: a
        # reference is already what is stored, and reading a page must not list every item.
        return None if value is None else str(value)


class LinkedItemBlock(blocks.StructBlock):
    """An item of another part of the platform, with its link: its title, when and where, one
    line, and the editor's own words. An item that is gone (deleted, cancelled, unpublished)
    shows nothing, on the web page and in the mail."""

    item = ItemChooserBlock(choices=teasers.choices, label=_("Meeting, course or Action Card"))
    note = blocks.TextBlock(
        label=_("Your own words"),
        required=False,
        max_length=500,
        help_text=_("Optional: why the reader should take a look."),
    )

    class Meta:
        icon = "link"
        label = _("Meeting, course or Action Card")
        template = "newsletters/blocks/linked_item.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        # A page or a mail that shows many items resolves them at once (teasers_for), and hands
        # them down as "teasers"; a block rendered on its own asks for its item alone.
        known = (parent_context or {}).get("teasers")
        ref = value.get("item")
        context["teaser"] = known.get(ref) if known is not None else teasers.teaser(ref)
        return context


def item_references(body) -> list[str]:
    """The references of a body's linked items, for teasers_for()."""
    return [block.value.get("item") for block in body if block.block_type == "linked_item"]


class NewsletterBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    rich_text = blocks.RichTextBlock(
        label=_("Text"), features=RICH_TEXT_FEATURES, template="newsletters/blocks/rich_text.html"
    )
    image = ImageBlock()
    video = VideoBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    linked_item = LinkedItemBlock()
