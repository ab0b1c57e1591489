"""StreamField blocks of the public pages.

The contact-list and phone-number blocks can show the numbers kept in the site settings, so that a
changed hotline number or a new Infohus contact is edited once and is right on every page.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class AccessibleImageBlock(blocks.StructBlock):
    """An image whose text alternative is required. Each app subclasses it to give it the
    template it renders with."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alt text"),
        max_length=250,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("important", _("Important")), ("acute", _("Acute"))],
        default="info",
        label=_("Tone"),
    )
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "site/blocks/callout.html"


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Name"), max_length=200)
    title = blocks.CharBlock(label=_("Role or title"), required=False, max_length=200)
    phone = blocks.CharBlock(label=_("Phone"), required=False, max_length=40)
    email = blocks.EmailBlock(label=_("Email"), required=False)

    class Meta:
        icon = "user"
        label = _("Contact")


class ContactListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    include_site_contacts = blocks.BooleanBlock(
        label=_("Show the Infohus contacts from the site settings"), required=False, default=True
    )
    contacts = blocks.ListBlock(ContactBlock(), label=_("Other contacts"), default=[])

    class Meta:
        icon = "group"
        label = _("Contact list")
        template = "site/blocks/contact_list.html"


class PhoneNumberBlock(blocks.StructBlock):
    label = blocks.CharBlock(label=_("Who"), max_length=200)
    number = blocks.CharBlock(label=_("Number"), max_length=40)
    hours = blocks.CharBlock(label=_("Opening hours"), required=False, max_length=120)
    note = blocks.CharBlock(label=_("Note"), required=False, max_length=300)

    class Meta:
        icon = "mobile-alt"
        label = _("Phone number")


class PhoneNumbersBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    include_site_numbers = blocks.BooleanBlock(
        label=_("Show the hotline and police numbers from the site settings"),
        required=False,
        default=True,
    )
    numbers = blocks.ListBlock(PhoneNumberBlock(), label=_("Other numbers"), default=[])

    class Meta:
        icon = "mobile-alt"
        label = _("Phone numbers")
        template = "site/blocks/phone_numbers.html"


class BodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    callout = CalloutBlock()
    contact_list = ContactListBlock()
    phone_numbers = PhoneNumbersBlock()
