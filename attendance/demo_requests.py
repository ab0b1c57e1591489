"""Demo meeting requests (being written by the meeting-requests work)."""

from __future__ import annotations


def requests_demo_load() -> int:
    """Create the demo municipality's meeting requests in each state; return how many were
    created (0 on a second run)."""
    return 0
