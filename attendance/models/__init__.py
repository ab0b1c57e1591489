"""The attendance app's models: meetings and registrations, meeting requests, Action Cards.

One module per capability; everything is importable from `attendance.models`.
"""

from attendance.models.cards import ActionCard, ActionCardVersion, CardDistribution
from attendance.models.meetings import Attendance, Meeting, Registration
from attendance.models.requests import MeetingRequest

__all__ = [
    "ActionCard",
    "ActionCardVersion",
    "Attendance",
    "CardDistribution",
    "Meeting",
    "MeetingRequest",
    "Registration",
]
