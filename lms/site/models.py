"""The public site: the home page, information pages and the Infohus site settings."""

from __future__ import annotations

from django.db import models
from django.http import Http404
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import (
    Orderable,
    Page,
    PagePermissionTester,
    PageViewRestriction,
    get_page_models,
)
from wagtail.search import index
from wagtail.url_routing import RouteResult

from lms.site.blocks import RICH_TEXT_FEATURES, BodyBlock


class SiteCachedRouteMixin:
    """For a Page subclass: routed from the site cache (lms.site.selectors.routes.route_prepare).
    The view restrictions found with the route are answered without a query while this request
    serves the page; anywhere else (the admin, a page read from the database) Wagtail's own
    query."""

    route_from_site_cache = True

    def get_view_restrictions(self):
        restrictions = getattr(self, "_lms_view_restrictions", None)
        if restrictions is None:
            return super().get_view_restrictions()
        # Evaluated already: iterating it (check_view_restrictions) reads nothing; a refined
        # copy (order_by, exists) asks the database, as Wagtail's own does.
        query = PageViewRestriction.objects.filter(pk__in=[r.pk for r in restrictions])
        query._result_cache = list(restrictions)
        query._prefetch_done = True
        return query


class HomePage(SiteCachedRouteMixin, Page):
    """The root page of a municipality's site. Routed from the site cache when it is the page
    asked for (lms.site.selectors.routes)."""

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    # Whoever may edit pages over this unit (policy.Action.PAGE_EDIT) edits this site's pages:
    # lms.site.services.editors keeps the Wagtail group that grants it.
    org_unit = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Infohus unit"),
        help_text=_("The Infohus unit whose site this is: its coordinators edit the site's pages."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    # Only a superuser re-points a site (the editors' own form leaves the field out): an editor
    # could otherwise hand their site to another municipality's coordinators.
    settings_panels = [*Page.settings_panels, FieldPanel("org_unit", permission="superuser")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    # A home page is the root of a Site, so it lives directly under Wagtail's tree root.
    parent_page_types = ["wagtailcore.Page"]

    template = "site/home_page.html"

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    @classmethod
    def clean_subpage_models(cls):
        """Instead of subpage_types: the page types that name the home page in their own
        parent_page_types (information pages, a feature's index page). The core lists no
        feature's page type, and a page type that says nothing of its parents stays out."""
        if cls._clean_subpage_models is None:
            cls._clean_subpage_models = [
                model
                for model in get_page_models()
                if getattr(model, "parent_page_types", None) is not None
                and cls in model.clean_parent_page_models()
            ]
        return cls._clean_subpage_models

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from lms.site.selectors.site import menu_pages

        # Read only when the template renders the menu (not when its fragment is cached).
        context["menu_pages"] = SimpleLazyObject(lambda: menu_pages(home=self, request=request))
        return context

    def route(self, request, path_components):
        """Wagtail's routing in two queries instead of two a level: the pages along the path in
        one (by slug and url_path), then the page's own type. The same answer as Page.route: a
        page on the way whose type routes for itself (overrides route()) is handed the rest of
        the path, a missing page is a 404, and so is a page that is not live."""
        if not path_components:
            return super().route(request, path_components)
        url_paths = [
            self.url_path + "".join(f"{slug}/" for slug in path_components[: n + 1])
            for n in range(len(path_components))
        ]
        found = {
            page.url_path: page
            for page in Page.objects.filter(
                slug__in=set(path_components),
                url_path__in=url_paths,
                path__startswith=self.path,
                depth__gt=self.depth,
            )
        }
        parent: Page = self
        for n, url_path in enumerate(url_paths):
            page = found.get(url_path)
            if page is None or page.depth != self.depth + n + 1:
                raise Http404
            page._cached_parent_obj = parent
            remaining = path_components[n + 1 :]
            if page.specific_class is None or page.specific_class.route is not Page.route:
                return page.specific.route(request, remaining)
            if not remaining:
                if not page.live:
                    raise Http404
                specific = page.specific
                specific._cached_parent_obj = parent
                return RouteResult(specific)
            parent = page
        raise Http404

    def permissions_for_user(self, user):
        return HomePagePermissionTester(user, self)


class HomePagePermissionTester(PagePermissionTester):
    """A site's editors edit and publish its home page, but only a superuser deletes or moves it:
    deleting the root page of a site deletes the Site with it."""

    def can_delete(self, ignore_bulk=False):
        return bool(self.user.is_active and self.user.is_superuser and super().can_delete())

    def can_move(self):
        return bool(self.user.is_active and self.user.is_superuser and super().can_move())


class InformationPage(Page):
    """A public information page, such as "Er du bekymret?" or the accessibility statement."""

    intro = RichTextField(_("intro"), blank=True, features=RICH_TEXT_FEATURES)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["site.HomePage", "site.InformationPage"]
    subpage_types = ["site.InformationPage"]

    template = "site/information_page.html"

    class Meta:
        verbose_name = _("information page")
        verbose_name_plural = _("information pages")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["child_pages"] = self.get_children().live().public().specific()
        return context


@register_setting(icon="group")
class InfohusSettings(BaseSiteSetting, ClusterableModel):
    """Who to call: the site's Infohus contacts, the national hotline and the police numbers."""

    infohus_name = models.CharField(_("Infohus name"), max_length=120, default="Infohus")
    hotline_name = models.CharField(
        _("hotline name"), max_length=120, default="Hotline mod radikalisering"
    )
    hotline_number = models.CharField(_("hotline number"), max_length=40, default="41 74 90 90")
    hotline_hours = models.CharField(
        _("hotline opening hours"), max_length=120, default="alle dage kl. 8-22"
    )
    police_number = models.CharField(_("police number"), max_length=20, default="114")
    emergency_number = models.CharField(_("emergency number"), max_length=20, default="112")
    police_text = models.TextField(
        _("police and emergency text"),
        blank=True,
        default=(
            "Ring til politiet på 114, hvis du vil tale med politiet om en bekymring. "
            "Ring 112, hvis der er akut fare for liv eller for at noget alvorligt sker."
        ),
    )
    concern_page = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_('"Are you worried?" page'),
        help_text=_("The information page on where to get help; the concern form links to it."),
    )
    concern_intake_url = models.URLField(
        _("external concern intake"),
        blank=True,
        help_text=_(
            "Leave empty to use the platform's own concern form. If the municipality receives "
            "concerns elsewhere (its case system, a secure form), give that address: every "
            '"Are you worried?" link then leads there.'
        ),
    )
    accessibility_page = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("accessibility statement page"),
    )

    select_related = ["concern_page", "accessibility_page"]

    panels = [
        FieldPanel("infohus_name"),
        InlinePanel("contacts", label=_("Infohus contacts"), heading=_("Infohus contacts")),
        MultiFieldPanel(
            [FieldPanel("hotline_name"), FieldPanel("hotline_number"), FieldPanel("hotline_hours")],
            heading=_("National hotline"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("police_number"),
                FieldPanel("emergency_number"),
                FieldPanel("police_text"),
            ],
            heading=_("Police and emergency"),
        ),
        FieldPanel("concern_intake_url"),
        FieldPanel("concern_page"),
        FieldPanel("accessibility_page"),
    ]

    class Meta:
        verbose_name = _("Infohus settings")


class InfohusContact(Orderable):
    """A person citizens and staff can contact at the Infohus."""

    setting = ParentalKey(InfohusSettings, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("role or title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("title"), FieldPanel("phone"), FieldPanel("email")]

    class Meta(Orderable.Meta):
        verbose_name = _("Infohus contact")
        verbose_name_plural = _("Infohus contacts")

    def __str__(self):
        return self.name
