"""StreamField blocks of a newsletter edition.

Each block renders twice from the same value: on the web page (its `template`) and in the mail
(`newsletters/mail/blocks/<name>.html`, through newsletters.emails.editions), where styles are
inlined and nothing is loaded from a third party.
"""

from __future__ import annotations

from functools import partial

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
    """The system's field (no editor): accepts any reference to a registered kind, not only the
    chooser's current items, so that an edition pointing at last season's meeting still saves."""

    def valid_value(self, value):
        return teasers.reference_parse(value) is not None


class _EditorReferenceField(forms.ChoiceField):
    """An editor's field: accepts what the chooser offers them (lms.site.teasers.choices(user):
    their own area's items), and the references the edition already held when the form opened
    (last season's meeting stays). Another municipality's item is refused, also when its id is
    typed into the request."""

    default_error_messages = {
        "invalid_choice": _(
            "Choose one of the items offered: this one is outside your area or no longer shown."
        ),
    }

    def __init__(self, *, user, kept, **kwargs):
        self._user = user
        self._kept = frozenset(kept)
        self._offered = None
        super().__init__(**kwargs)

    def valid_value(self, value):
        if teasers.reference_parse(value) is None:
            return False
        if value in self._kept:
            return True
        if self._offered is None:
            self._offered = teasers.references_offered(self._user)
        return value in self._offered


class ItemChooserBlock(blocks.ChoiceBlock):
    """A meeting, a course or an Action Card (whatever the features registered in
    lms.site.teasers), stored as a reference "<kind>:<id>".

    Declared on the page type without an editor (every item, the system's view); the page's
    admin form puts in its place one made for the editor (body_block_for), whose chooser and
    check know only that editor's items."""

    def __init__(self, *args, user=None, kept=(), **kwargs):
        self._editor = user
        self._kept = tuple(kept)
        if user is not None:
            kwargs["choices"] = partial(teasers.choices, user)
        super().__init__(*args, **kwargs)

    def get_field(self, **kwargs):
        if self._editor is not None:
            return _EditorReferenceField(user=self._editor, kept=self._kept, **kwargs)
        return _ReferenceField(**kwargs)

    def normalize_choice(self, value):
        # ChoiceBlock looks the value up in its choices, which here are database queries: a
        # reference is already what is stored, and reading a page must not list every item.
        return None if value is None else str(value)


ITEM_LABEL = _("Meeting, course or Action Card")


class LinkedItemBlock(blocks.StructBlock):
    """An item of another part of the platform, with its link: its title, when and where, one
    line, and the editor's own words. An item that is gone (deleted, cancelled, unpublished)
    shows nothing, on the web page and in the mail."""

    item = ItemChooserBlock(choices=teasers.choices, label=ITEM_LABEL)
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


def body_block_for(*, user, kept=()) -> NewsletterBodyBlock:
    """The body's block as `user` edits it: the same blocks, with a linked-item chooser that
    offers and accepts only their own area's items (and `kept`, the references the edition holds
    already). One per form: the page type's block is shared by every request."""
    item = ItemChooserBlock(user=user, kept=kept, label=ITEM_LABEL)
    linked_item = LinkedItemBlock([("item", item)])
    block = NewsletterBodyBlock([("linked_item", linked_item)])
    block.set_name("body")
    return block
