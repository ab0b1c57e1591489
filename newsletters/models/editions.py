"""A newsletter edition is a Wagtail page: revisions, preview and scheduled publishing as any page.

NewsletterIndexPage (the archive, one per site) > NewsletterPage (one edition). The mail is
rendered from the same page (newsletters.emails.editions); its web version is this page.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from lms.site.teasers import teasers_for
from newsletters.blocks import NewsletterBodyBlock, item_references
from newsletters.forms.editions import NewsletterPageForm
from newsletters.panels import EditionPlanPanel


class NewsletterIndexPage(Page):
    """The newsletter archive of a site: its editions, newest first."""

    intro = models.TextField(_("intro"), blank=True, max_length=1000)

    content_panels = [*Page.content_panels, EditionPlanPanel(), FieldPanel("intro")]

    parent_page_types = ["site.HomePage"]
    subpage_types = ["newsletters.NewsletterPage"]
    max_count_per_parent = 1

    template = "newsletters/newsletter_index_page.html"

    class Meta:
        verbose_name = _("newsletter archive")
        verbose_name_plural = _("newsletter archives")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["editions"] = (
            NewsletterPage.objects.child_of(self).live().public().order_by("-first_published_at")
        )
        return context


class NewsletterPage(Page):
    """One edition of the newsletter ("Forår 2027")."""

    edition_label = models.CharField(
        _("edition"), max_length=60, help_text=_('For example "Forår 2027".')
    )
    teaser = models.TextField(
        _("teaser"),
        max_length=500,
        help_text=_("A few lines: the start of the mail and of the archive's list."),
    )
    body = StreamField(NewsletterBodyBlock(), verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("edition_label"),
        FieldPanel("teaser"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("teaser"), index.SearchField("body")]

    parent_page_types = ["newsletters.NewsletterIndexPage"]
    subpage_types: list[str] = []

    template = "newsletters/newsletter_page.html"
    # The chooser of meetings, courses and Action Cards offers the editor's own area only.
    base_form_class = NewsletterPageForm

    class Meta:
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The meetings, courses and Action Cards the body points at, one query per kind.
        context["teasers"] = teasers_for(item_references(self.body))
        return context
