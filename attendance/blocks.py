"""StreamField blocks of an Action Card version: the signs to look for and the steps to take.

A step of kind "infohus", "acute" or "hotline" shows the numbers kept in the site settings
(InfohusSettings), so that a changed number is edited once and right on every card.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class SignBlock(blocks.StructBlock):
    sign = blocks.CharBlock(label=_("Sign"), max_length=200)
    detail = blocks.TextBlock(label=_("Explanation"), required=False, max_length=600)

    class Meta:
        icon = "view"
        label = _("Sign")


class StepBlock(blocks.StructBlock):
    KINDS = [
        ("leader", _("Talk to your leader")),
        ("infohus", _("Contact the Infohus")),
        ("acute", _("Acute: police 112 / 114")),
        ("hotline", _("The national hotline")),
        ("other", _("Other")),
    ]
    kind = blocks.ChoiceBlock(choices=KINDS, default="other", label=_("Kind"))
    title = blocks.CharBlock(label=_("Step"), max_length=200)
    text = blocks.TextBlock(label=_("What to do"), required=False, max_length=800)

    class Meta:
        icon = "list-ol"
        label = _("Step")


class SignsBlock(blocks.StreamBlock):
    sign = SignBlock()

    class Meta:
        min_num = 1


class StepsBlock(blocks.StreamBlock):
    step = StepBlock()

    class Meta:
        min_num = 1
