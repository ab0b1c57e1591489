"""Pages of the features that competences point at, filled in by the features.

The core knows no feature's pages, so My competences and the recertification reminders ask a
registry: each feature app registers, in its AppConfig.ready(), the pages it has for a place:

- RENEWAL: where a person renews a competence (the expiry reminder lists them);
- HOLDER: pages about one's own competences, linked from My competences for a person on the
  roster;
- TEAM: a manager's view of their team's competences, linked from My competences for a manager
  and from the mail a manager gets when a competence of their team has run out.

A link names its page by URL name. A place nobody registered for is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.urls import reverse
from django.utils.functional import Promise

from lms import mail


class Place(StrEnum):
    RENEWAL = "renewal"
    HOLDER = "holder"
    TEAM = "team"


@dataclass(frozen=True)
class Link:
    """One page a feature offers for a place. Lower `order` comes first."""

    place: Place
    name: str
    label: str | Promise
    url_name: str
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)

    @property
    def absolute_url(self) -> str:
        """For mails: the address on LMS_BASE_URL."""
        return mail.absolute_url(self.url)


_links: dict[tuple[Place, str], Link] = {}


def link_register(link: Link) -> None:
    """Add (or replace, by place and name) a link. Called from AppConfig.ready()."""
    _links[(link.place, link.name)] = link


def links_at(place: Place) -> list[Link]:
    """The links registered for `place`, in order."""
    shown = [link for (at, _name), link in _links.items() if at == place]
    return sorted(shown, key=lambda link: (link.order, link.name))
