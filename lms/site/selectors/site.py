"""Reads shared by the templates of every page: the site's Infohus settings and key links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from wagtail.models import Page, Site

from lms.cacheversion import version_get, version_move
from lms.concerns.links import intake_url_for
from lms.site.models import InfohusContact, InfohusSettings, InformationPage

T = TypeVar("T")

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
    # The Wagtail site serving the host, handed to Site.find_for_request (request._wagtail_site)
    # so that a page's URL and Wagtail's routing need no query of the sites.
    site: Site | None = None


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

    From the shared cache, keyed by the request's host, so that a warm page view reads neither
    the site, the settings, the contacts nor the pages they link to (the site cache's version,
    site_cache_forget(), changes whenever any of those is saved, deleted, published or moved).
    Kept on the request as well: base.html and the blocks ask for it several times per page.
    Falls back to the seeded pages' slugs when the settings name no page, and to plain paths when
    there is no site at all, so that the header's route to report a concern is never missing.
    The site itself is handed to Wagtail for the request (Site.find_for_request reads it), which
    found it for the same host: the cache's version changes whenever a site does.
    """
    if request is None:
        return SiteInfo(settings=None)
    cached = getattr(request, "_lms_site_info", None)
    if cached is not None:
        return cached
    from django.core.cache import cache

    try:
        # The port as well: Wagtail tells sites apart by hostname and port (Site.find_for_request).
        key = (
            f"lms.site.info:{site_cache_version(request=request)}:{request.get_host()}"
            f":{request.get_port()}"
        )
    except DisallowedHost:
        # The 400 page of a request for a host this installation does not serve.
        key = None
    info = cache.get(key) if key else None
    if info is None:
        info = _site_info_read(request)
        if key and info.settings is not None:
            cache.set(key, info, SITE_CACHE_SECONDS)
    request._lms_site_info = info
    if info.site is not None and not hasattr(request, "_wagtail_site"):
        request._wagtail_site = info.site
    return info


def _site_info_read(request) -> SiteInfo:
    try:
        site = Site.find_for_request(request)
        if site is None:
            return SiteInfo(settings=None)
        settings = InfohusSettings.for_request(request)
        concern_info_url = _page_url(settings.concern_page, request) or _page_url(
            _page_by_slug(site, CONCERN_SLUG), request
        )
        accessibility_url = _page_url(settings.accessibility_page, request) or _page_url(
            _page_by_slug(site, ACCESSIBILITY_SLUG), request
        )
        return SiteInfo(
            site=site,
            settings=settings,
            contacts=list(settings.contacts.all()),
            home_url=_page_url(site.root_page, request) or "/",
            concern_url=intake_url_for(settings),
            concern_info_url=concern_info_url or SiteInfo.concern_info_url,
            accessibility_url=accessibility_url or SiteInfo.accessibility_url,
        )
    except DatabaseError:
        # Error pages must still render when the database is the thing that failed.
        return SiteInfo(settings=None)


@dataclass(frozen=True)
class MenuLink:
    title: str
    url: str


def menu_pages(*, home: Page, request=None) -> list[MenuLink]:
    """The home page's menu: the titles and URLs of its live, public children shown in menus,
    from the site cache (any page's or view restriction's change gives it a new version,
    lms.site.signals). Titles and URLs rather than the pages: a warm request unpickles two
    strings a link and works out no URL. Keyed by host too, as a URL is relative to the site
    that serves the request."""
    from django.core.cache import cache

    try:
        host = request.get_host() if request is not None else ""
    except DisallowedHost:
        host = None
    key = f"lms.site.menu:{site_cache_version(request=request)}:{host}:{home.pk}"
    links = cache.get(key) if host is not None else None
    if links is None:
        links = [
            MenuLink(title=page.title, url=page.get_url(request))
            for page in home.get_children().live().public().in_menu().specific()
        ]
        if host is not None:
            cache.set(key, links, SITE_CACHE_SECONDS)
    return links


# One version for everything cached of a site (its Infohus settings, contacts, the pages they
# link to, the Infohus name): lms.site.signals calls site_cache_forget() when a site, its
# settings, a contact or any page changes, so the next request reads afresh. The timeout only
# bounds how long an unused entry stays.
SITE_CACHE_VERSION_KEY = "lms.site.version"
SITE_CACHE_SECONDS = 3600


def site_cache_version(*, request=None) -> int:
    """The site cache's current version (read once per request)."""
    if request is not None:
        version = getattr(request, "_lms_site_cache_version", None)
        if version is not None:
            return version
    version = version_get(SITE_CACHE_VERSION_KEY)
    if request is not None:
        request._lms_site_cache_version = version
    return version


def site_cache_forget() -> None:
    """Drop everything cached of every site: the next request reads it afresh."""
    version_move(SITE_CACHE_VERSION_KEY)


# Per process, under the site cache's version: what a page renders of a site that depends only on
# the site (its settings, contacts, links) and on a few values the caller names (the language,
# signed in or not), such as base.html's header and footer. A new version (site_cache_forget())
# leaves the old entries unread; the version is in every key, so a request that read the old
# version cannot store under the new one. Bounded: full, it starts again.
_local: dict[tuple, object] = {}
LOCAL_MAX_ENTRIES = 512


def site_local(*, request, key: tuple, compute: Callable[[], T]) -> T:
    """compute()'s answer for `key` on the site serving `request`, kept in this process under the
    site cache's version (so: only what depends on nothing else than the site and `key`). Not
    kept when the site's settings could not be read (an error page while the database is down):
    what it rendered then is not what the site shows."""
    version = site_cache_version(request=request)
    try:
        host = (request.get_host(), request.get_port())
    except DisallowedHost:
        host = None
    if not version or host is None or site_info(request=request).settings is None:
        return compute()
    full_key = (version, *host, *key)
    try:
        return _local[full_key]
    except KeyError:
        pass
    value = compute()
    if len(_local) >= LOCAL_MAX_ENTRIES:
        _local.clear()
    _local[full_key] = value
    return value


NAME_CACHE_SECONDS = 300


def infohus_name_forget() -> None:
    """Drop every cached Infohus name (a site or its settings changed)."""
    site_cache_forget()


def infohus_name_cached(*, request) -> str:
    """infohus_name() for every admin page's title, from the cache (no database query once
    warm); infohus_name_forget() runs when a site or its settings change."""
    from django.core.cache import cache

    key = f"lms.site.infohus_name:{site_cache_version(request=request)}:{request.get_host()}"
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
