"""The site header's links, filled in by the apps.

The core knows no feature's pages, so the header asks a registry: each app registers its links
(the core's own too, so that they fall into one order) in its AppConfig.ready(), as Min side's
sections are registered (lms.site.my_page). A link names its page by URL name; it is shown to
everyone or only to signed-in users, and marked as the current page by its URL namespace (every
page of the feature) or by its own view only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise


class Current(StrEnum):
    """When the link is marked as the page the visitor is on (aria-current)."""

    NAMESPACE = "namespace"  # on any page of its URL namespace
    VIEW = "view"  # on its own page only
    NEVER = "never"


@dataclass(frozen=True)
class Link:
    """One link of the header. Lower `order` comes first."""

    name: str
    label: str | Promise
    url_name: str
    order: int = 100
    signed_in_only: bool = True
    current: Current = Current.NAMESPACE


@dataclass(frozen=True)
class ShownLink:
    label: str | Promise
    url: str
    current: bool


_links: dict[str, Link] = {}


def link_register(link: Link) -> None:
    """Add (or replace, by name) a link of the header. Called from AppConfig.ready()."""
    _links[link.name] = link


def _is_current(link: Link, request: HttpRequest | None) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if link.current == Current.NAMESPACE:
        return match.namespace == link.url_name.rpartition(":")[0]
    if link.current == Current.VIEW:
        return match.view_name == link.url_name
    return False


def links_for(*, request: HttpRequest | None) -> list[ShownLink]:
    """The header's links for this visitor, in order."""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return [
        ShownLink(link.label, reverse(link.url_name), _is_current(link, request))
        for link in sorted(_links.values(), key=lambda link: (link.order, link.name))
        if signed_in or not link.signed_in_only
    ]
