"""The moment a service acts as of.

Services that record when something happened take an optional `now`: the real time by default, or
an earlier moment the caller names. The demo loader builds a past season (meetings held, courses
taken, Action Cards approved) through the real services this way, so its history is dated
consistently. Never a later moment: acting as of a time that has not come would let attendance,
completions and the competence they earn be recorded before they could have happened.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def as_of(now: dt.datetime | None) -> dt.datetime:
    """`now`, checked (aware, not in the future), or the current time when None."""
    real = timezone.now()
    if now is None:
        return real
    if not isinstance(now, dt.datetime) or timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    if now > real:
        raise ValueError("now cannot be later than the current time")
    return now
