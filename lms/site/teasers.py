"""Things a page or a mail may point at, filled in by the features ("linkable items").

The core knows no feature's models, so a block that picks "a meeting, a course or an Action Card"
asks a registry: each feature registers, in its AppConfig.ready(), a `Kind` of item:

- `key`: a short name stored in content ("meeting"), never shown;
- `label`: what an editor reads above the kind's items in the chooser ("Meetings");
- `item_label`: what a reader sees above one item ("Meeting");
- `choices(user)`: the items `user` may pick now, as (id, label) pairs: only what that editor may
  see (their Infohus, their municipality), never another municipality's; `user=None` is the
  system itself (the demo loader), which sees every item;
- `teasers(ids)`: the items of those ids that may still be shown, as small `Teaser`s (title, one
  line, facts such as when and where, an absolute address on LMS_BASE_URL). One query or a few
  for all the ids: a mail that points at twenty items costs what one costs. An id that is gone
  (deleted, cancelled, unpublished) is simply left out, and what points at it shows nothing.

Content stores a reference "<key>:<id>" (`reference()`); `teasers_for()` resolves many at once,
one call per kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

from lms.parsing import is_id

if TYPE_CHECKING:
    from lms.people.models import User


@dataclass(frozen=True)
class Teaser:
    """What a page or a mail shows of an item: a title with its link, and one line."""

    title: str
    url: str
    line: str = ""
    # Short facts shown after the title, in order: when and where, how long.
    facts: tuple[str, ...] = ()
    kind_label: str | Promise = ""


@dataclass(frozen=True)
class Kind:
    """One kind of item a feature offers. Lower `order` comes first in the chooser."""

    key: str
    label: str | Promise
    choices: Callable[[User | None], Iterable[tuple[int, str]]]
    teasers: Callable[[Collection[int]], Mapping[int, Teaser]]
    item_label: str | Promise = ""
    order: int = 100


_kinds: dict[str, Kind] = {}


def kind_register(kind: Kind) -> None:
    """Add (or replace, by key) a kind of item. Called from AppConfig.ready()."""
    if ":" in kind.key:
        raise ValueError(f"A kind's key holds no colon: {kind.key!r}")
    _kinds[kind.key] = kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.key))


def reference(key: str, pk: int) -> str:
    return f"{key}:{pk}"


def reference_parse(value: object) -> tuple[str, int] | None:
    """(key, id) of a reference to a registered kind, or None for anything else."""
    key, _sep, pk = str(value or "").partition(":")
    if key not in _kinds or not is_id(pk):
        return None
    return key, int(pk)


def choices(user: User | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every kind's items that `user` may pick, grouped under the kind's label (a <select> with
    <optgroup>s). `user=None`: the system, every item."""
    return [
        (str(kind.label), [(reference(kind.key, pk), label) for pk, label in kind.choices(user)])
        for kind in kinds()
    ]


def references_offered(user: User | None) -> set[str]:
    """The references choices(user) offers, as a set (to check what an editor sent)."""
    return {ref for _label, items in choices(user) for ref, _item in items}


def teasers_for(references: Iterable[object]) -> dict[str, Teaser]:
    """The teasers of the references that may still be shown: one call per kind, whatever the
    number of references. A reference to an item that is gone is not in the answer."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for value in references:
        parsed = reference_parse(value)
        if parsed is not None:
            wanted[parsed[0]].add(parsed[1])
    found: dict[str, Teaser] = {}
    for key, ids in wanted.items():
        kind = _kinds[key]
        for pk, teaser in kind.teasers(sorted(ids)).items():
            if teaser.kind_label == "":
                label = kind.item_label or kind.label
                teaser = Teaser(**{**teaser.__dict__, "kind_label": label})
            found[reference(key, pk)] = teaser
    return found


def teaser(value: object) -> Teaser | None:
    """One reference's teaser, or None when it is gone or names no registered kind."""
    return teasers_for([value]).get(str(value or ""))
