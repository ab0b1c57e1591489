"""Wagtail's page view, with the routing of the page types that ask for it taken from the site
cache first (lms.site.selectors.routes); everything else is Wagtail's own serve()."""

from __future__ import annotations

from wagtail import views as wagtail_views

from lms.site.selectors.routes import route_prepare


def serve(request, path):
    route_prepare(request, path)
    return wagtail_views.serve(request, path)
