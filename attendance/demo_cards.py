"""Demo Action Cards (being written by the Action Cards work)."""

from __future__ import annotations

from collections.abc import Sequence

from .models import Meeting


def cards_demo_load(
    *, past_meetings: Sequence[Meeting], upcoming_meetings: Sequence[Meeting]
) -> int:
    """Create the demo municipality's two Action Cards and their distributions; return how many
    rows were created (0 on a second run)."""
    return 0
