"""StreamField blocks of lessons and quizzes.

Quiz questions are blocks of the CoursePage, so that they are part of the page's revisions: a
completion records the revision it was earned on, and editing a question later never rewrites
what an attempt was scored against. Every question and every choice has a stable block id
(StreamField and ListBlock items both carry one): attempts store those ids, never positions.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock

from lms.site.blocks import RICH_TEXT_FEATURES, AccessibleImageBlock, CalloutBlock


class ImageBlock(AccessibleImageBlock):
    """An image whose text alternative is required (every lesson image carries meaning)."""

    class Meta:
        template = "courses/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video address"), help_text=_("A YouTube, Vimeo or similar link."))
    title = blocks.CharBlock(label=_("Title"), max_length=200)
    transcript = blocks.RichTextBlock(
        label=_("Transcript"),
        features=RICH_TEXT_FEATURES,
        help_text=_("Everything that is said and shown, for people who cannot watch or hear it."),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


class WarningSignBlock(blocks.StructBlock):
    sign = blocks.CharBlock(label=_("Sign"), max_length=200)
    may_mean = blocks.TextBlock(label=_("What it may mean"), max_length=1000)
    does_not_mean = blocks.TextBlock(label=_("What it does not mean"), max_length=1000)

    class Meta:
        icon = "warning"
        label = _("Warning sign")
        template = "courses/blocks/warning_sign.html"


class DownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Downloadable document")
        template = "courses/blocks/download.html"


class LessonBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    video = VideoBlock()
    callout = CalloutBlock()
    warning_sign = WarningSignBlock()
    download = DownloadBlock()


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False, default=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"),
        required=False,
        max_length=600,
        help_text=_("Shown after the attempt: why this answer is right or wrong."),
    )

    class Meta:
        icon = "tick"
        label = _("Answer")


class QuestionBlock(blocks.StructBlock):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true_false"
    KINDS = [
        (SINGLE, _("Single choice")),
        (MULTIPLE, _("Multiple choice")),
        (TRUE_FALSE, _("True or false")),
    ]

    kind = blocks.ChoiceBlock(choices=KINDS, default=SINGLE, label=_("Kind"))
    question = blocks.CharBlock(label=_("Question"), max_length=500)
    choices = blocks.ListBlock(ChoiceBlock(), label=_("Answers"), min_num=2)

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        value = super().clean(value)
        kind = value.get("kind")
        choices = list(value.get("choices") or [])
        correct = sum(1 for choice in choices if choice.get("correct"))
        message = None
        if kind == self.TRUE_FALSE and len(choices) != 2:
            message = _("A true-or-false question has exactly two answers.")
        elif kind in (self.SINGLE, self.TRUE_FALSE) and correct != 1:
            message = _("Mark exactly one answer as correct.")
        elif kind == self.MULTIPLE and correct < 1:
            message = _("Mark at least one answer as correct.")
        if message:
            # A non-block error: it is about the answers together, not one of them.
            raise StructBlockValidationError(non_block_errors=[ValidationError(message)])
        return value


class QuizBlock(blocks.StreamBlock):
    question = QuestionBlock()
