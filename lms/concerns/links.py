"""Where "Er du bekymret?" leads: the one answer every page, mail and feature asks.

The built-in intake (lms.concerns.views.intake), unless the municipality keeps its intake
elsewhere (its case system, a secure form) and has set that address in its site settings
(InfohusSettings.concern_intake_url): then every route leads there. Templates use
`{% load concerns %}{% concern_url %}` (or site_info's concern_url, which is this); mails use
intake_absolute_url(site=...).
"""

from __future__ import annotations

from django.urls import reverse

from lms.mail import absolute_url
from lms.site.models import InfohusSettings


def intake_path() -> str:
    """The built-in intake's own address."""
    return reverse("concerns:start")


def intake_url_for(settings: InfohusSettings | None) -> str:
    """The intake address for a site with these settings (None: no site)."""
    external = getattr(settings, "concern_intake_url", "") if settings is not None else ""
    return external or intake_path()


def intake_url(*, request) -> str:
    from lms.site.selectors.site import site_info

    return site_info(request=request).concern_url


def intake_absolute_url(*, site=None) -> str:
    """For a mail: the external address, or the built-in intake on LMS_BASE_URL."""
    settings = InfohusSettings.for_site(site) if site is not None else None
    external = getattr(settings, "concern_intake_url", "") if settings is not None else ""
    return external or absolute_url(intake_path())
