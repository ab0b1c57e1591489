"""Min side: the signed-in start page, filled in by the features.

The core knows no feature's pages, so Min side asks a registry: each feature app registers the
sections it has for a person (its upcoming meetings, its required courses ...) in its
AppConfig.ready(). A section decides for itself whether it has anything for this user; it reads
only through the feature's own selectors and the access policy, so nobody sees others' data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class Section:
    """One block of Min side.

    `get_context(request)` returns the template's context, or None when the section has nothing
    for this user (it is then left out). Lower `order` comes first.
    """

    name: str
    template_name: str
    get_context: Callable[[HttpRequest], dict | None]
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    name: str
    template_name: str
    context: dict


_sections: dict[str, Section] = {}


def section_register(section: Section) -> None:
    """Add (or replace, by name) a section of Min side. Called from AppConfig.ready()."""
    _sections[section.name] = section


def sections_for(*, request: HttpRequest) -> list[RenderedSection]:
    """The sections that have something for the signed-in user, in order."""
    shown = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        context = section.get_context(request)
        if context is not None:
            shown.append(RenderedSection(section.name, section.template_name, context))
    return shown
