"""Versioned cache keys: a number kept in the shared cache that names the current version of
something cached (the site's pages and settings, a learner's progress). Entries are stored with
the version they were read under; moving the version on leaves every older entry unread."""

from __future__ import annotations

import time

from django.core.cache import cache


def version_get(key: str) -> int:
    """The current version under `key`."""
    version = cache.get(key)
    if version is None:
        # Never set, or evicted: a number no entry was cached under, so that an old entry
        # (made under 0, say) is never read again. add(): the first process to get here wins.
        cache.add(key, time.time_ns(), None)
        version = cache.get(key, 0)
    return version


def version_move(key: str) -> None:
    """A new version under `key`: what was cached under the old one is not read again."""
    try:
        cache.incr(key)
    except ValueError:
        # Not there (first change, or evicted): a fresh number that no cached entry used.
        cache.set(key, time.time_ns(), None)
