"""Reads shared by the templates of every page: the site's Infohus settings and key links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import DatabaseError
from wagtail.models import Page, Site

from lms.concerns.links import intake_url_for
from lms.site.models import InfohusContact, InfohusSettings, InformationPage

# Slugs the seeded pages use; also the fallback when the settings do not name a page.
CONCERN_SLUG = "er-du-bekymret"
ACCESSIBILITY_SLUG = "tilgaengelighedserklaering"


@dataclass(frozen=True)
class SiteInfo:
    settings: InfohusSettings | None
    contacts: list[InfohusContact] = field(default_factory=list)
    home_url: str = "/"
    # Where "Er du bekymret?" leads: the concern intake, or the municipality's own
    # (lms.concerns.links). The information page on where to get help is concern_info_url.
    concern_url: str = field(default_factory=lambda: intake_url_for(None))
    concern_info_url: str = f"/{CONCERN_SLUG}/"
    accessibility_url: str = f"/{ACCESSIBILITY_SLUG}/"


def _page_url(page: Page | None, request) -> str | None:
    if page is None or not page.live:
        return None
    return page.get_url(request) or None


def _page_by_slug(site: Site, slug: str) -> Page | None:
    return (
        InformationPage.objects.live()
        .descendant_of(site.root_page, inclusive=True)
        .filter(slug=slug)
        .order_by("path")
        .first()
    )


def site_info(*, request) -> SiteInfo:
    """The Infohus settings and the links every page shows, for the site serving `request`.

    Cached on the request: base.html and the blocks ask for it several times per page. Falls back
    to the seeded pages' slugs when the settings name no page, and to plain paths when there is no
    site at all, so that the header's route to report a concern is never missing.
    """
    if request is None:
        return SiteInfo(settings=None)
    cached = getattr(request, "_lms_site_info", None)
    if cached is not None:
        return cached
    try:
        site = Site.find_for_request(request)
        if site is None:
            info = SiteInfo(settings=None)
        else:
            settings = InfohusSettings.for_request(request)
            concern_info_url = _page_url(settings.concern_page, request) or _page_url(
                _page_by_slug(site, CONCERN_SLUG), request
            )
            accessibility_url = _page_url(settings.accessibility_page, request) or _page_url(
                _page_by_slug(site, ACCESSIBILITY_SLUG), request
            )
            info = SiteInfo(
                settings=settings,
                contacts=list(settings.contacts.all()),
                home_url=_page_url(site.root_page, request) or "/",
                concern_url=intake_url_for(settings),
                concern_info_url=concern_info_url or SiteInfo.concern_info_url,
                accessibility_url=accessibility_url or SiteInfo.accessibility_url,
            )
    except DatabaseError:
        # Error pages must still render when the database is the thing that failed.
        info = SiteInfo(settings=None)
    request._lms_site_info = info
    return info


NAME_CACHE_VERSION_KEY = "lms.site.infohus_name.version"
NAME_CACHE_SECONDS = 300


def infohus_name_forget() -> None:
    """Drop every cached Infohus name (a site or its settings changed)."""
    from django.core.cache import cache

    try:
        cache.incr(NAME_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(NAME_CACHE_VERSION_KEY, 1, None)


def infohus_name_cached(*, request) -> str:
    """infohus_name() for every admin page's title, from the cache (no database query once
    warm); infohus_name_forget() runs when a site or its settings change."""
    from django.core.cache import cache

    version = cache.get(NAME_CACHE_VERSION_KEY, 0)
    key = f"lms.site.infohus_name:{version}:{request.get_host()}"
    name = cache.get(key)
    if name is None:
        name = infohus_name(request=request)
        cache.set(key, name, NAME_CACHE_SECONDS)
    return name


def infohus_name(*, request=None) -> str:
    """The name of the Infohus serving `request` (its site settings), else of the default site,
    else settings.WAGTAIL_SITE_NAME: what the admin's titles and the account mails call it."""
    from django.conf import settings as django_settings

    info_settings = site_info(request=request).settings if request is not None else None
    if info_settings is None:
        try:
            site = Site.objects.filter(is_default_site=True).first()
            info_settings = InfohusSettings.for_site(site) if site is not None else None
        except DatabaseError:
            info_settings = None
    name = info_settings.infohus_name if info_settings is not None else ""
    return name or django_settings.WAGTAIL_SITE_NAME
