"""Reads for the intake: which Infohus the site serving a request belongs to."""

from __future__ import annotations

from wagtail.models import Site

from lms.people.models import OrgUnit
from lms.site.models import HomePage


def infohus_for_request(request) -> OrgUnit | None:
    """The Infohus unit of the site the concern is reported on (its home page's unit), or None
    when the site names none (the intake then offers only the phone numbers)."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    home = HomePage.objects.filter(pk=site.root_page_id).select_related("org_unit").first()
    return home.org_unit if home is not None else None


def reported_by(user) -> list:
    """The concerns `user` reported as a member of staff, newest first: reference, dates and
    status only (what the reporter needs to know whether feedback was given)."""
    from lms.concerns.models import Concern

    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Concern.objects.filter(reporter_user=user)
        .only("reference", "created_at", "status", "feedback_on", "closed_at")
        .order_by("-created_at", "-pk")
    )
