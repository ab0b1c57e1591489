"""Wagtail's routing from the site cache, for the page types that ask for it.

Serving a Wagtail page reads the site, the home page, the pages along the path, the page itself
and then, for the view restrictions, the page's ancestors and their restrictions: six queries
before the page's own work. A page type that sets `route_from_site_cache = True` (and mixes in
lms.site.models.SiteCachedRouteMixin: the catalogue, a course, a lesson, the home page) is
served from one entry of the site cache instead: the site, the page as Wagtail's routing found
it, and the view restrictions that apply to it. The site cache's version (lms.site.signals)
changes whenever a site, any page (saved, published, unpublished, moved, deleted) or any view
restriction changes, so an entry is never read after such a change.

What is not cached: whether the request meets a restriction (Wagtail's check_view_restrictions
asks each restriction, as always: the session for a password, the user's groups), and every
later step of serving the page (Wagtail's hooks, the page's serve()).

Only the pages of those types pay anything. A request for any other page costs one look-up in a
set of this process (the paths it has seen served by such a page, a hint where to look, never
an answer): no read of the cache's version or of an entry, no query. A path is only looked up
in the cache once it is in the set, and an entry is only written with the version read before
the routing (and read only while that is still the version), so a page read before a change
committed meanwhile is never taken for the page after it.
"""

from __future__ import annotations

import copy

from django.core.cache import cache
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from lms.site.selectors.site import SITE_CACHE_SECONDS, SITE_CACHE_VERSION_KEY, site_cache_version

# (host, port, path) of pages served here whose type is routed from the site cache.
_HINTS: set[tuple[str, int | str, str]] = set()
HINTS_MAX = 10_000


def _hint(request, path: str) -> tuple[str, int | str, str]:
    return (request._get_raw_host(), request.get_port(), path)


def route_prepare(request, path: str) -> None:
    """Before Wagtail's serve(): the route of `path` (request._wagtail_route_for_request, which
    Wagtail's serve reads) and the site (request._wagtail_site) from the site cache when the
    path is a page routed from it; else Wagtail's own routing, done here once (Wagtail keeps its
    answer on the request)."""
    hint = _hint(request, path)
    key = version = None
    if hint in _HINTS:
        # The entry and the site cache's version in one round trip (the entry names the version
        # it was stored under).
        key = f"lms.site.route:{hint[0]}:{hint[1]}:{path}"
        version = getattr(request, "_lms_site_cache_version", None)
        found = cache.get_many([key] if version is not None else [SITE_CACHE_VERSION_KEY, key])
        if version is None:
            version = found.get(SITE_CACHE_VERSION_KEY)
            if version is None:
                version = site_cache_version(request=request)
            # Read once per request (site_cache_version keeps it there).
            request._lms_site_cache_version = version
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            _, site, page, restrictions = entry
            if not hasattr(request, "_wagtail_site"):
                request._wagtail_site = site
            page._lms_view_restrictions = restrictions
            request._wagtail_route_for_request = RouteResult(page)
            return
    result = Page.route_for_request(request, path)
    if result is None:
        return
    page, args, kwargs = result
    if args or kwargs or not getattr(page, "route_from_site_cache", False) or not page.live:
        return
    if key is None:
        # First seen: next time, look in the cache (the version must be read before routing).
        if len(_HINTS) >= HINTS_MAX:
            _HINTS.clear()
        _HINTS.add(hint)
        return
    site = Site.find_for_request(request)
    restrictions = list(Page.get_view_restrictions(page))
    stored = copy.copy(page)
    # Only the page: not the parent that routing left on it (read again if ever asked for).
    stored.__dict__.pop("_cached_parent_obj", None)
    cache.set(key, (version, site, stored, restrictions), SITE_CACHE_SECONDS)
    page._lms_view_restrictions = restrictions
