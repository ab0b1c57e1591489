"""The admin form of a newsletter edition (NewsletterPage.base_form_class).

The body's linked-item chooser (a meeting, a course or an Action Card) offers and accepts only
what the editing user may see: Wagtail builds a page type's StreamField block once for every
request, so each form puts in its place one made for its editor (newsletters.blocks.body_block_for).
"""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import BlockWidget

from newsletters.blocks import body_block_for, item_references


class NewsletterPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("body")
        if field is None or self.for_user is None:
            return
        # What the edition points at already stays valid, whoever opens it (last season's
        # meeting, no longer offered).
        kept = item_references(self.instance.body) if self.instance.pk else ()
        block = body_block_for(user=self.for_user, kept=kept)
        field.block = block
        field.widget = BlockWidget(block)
