"""This app's sections of Min side (lms.site.my_page): the person's upcoming meetings, and the
meeting requests of those who may ask for meetings. Registered in AttendanceConfig.ready()."""

from __future__ import annotations

from attendance import access
from attendance.models import MeetingRequest
from attendance.selectors.meetings import meetings_upcoming_summary
from attendance.selectors.requests import requests_for
from lms.people import policy
from lms.site.my_page import Section

SHOWN = 5


def meetings_context(request) -> dict | None:
    if policy.person_of(request.user) is None:
        return None
    # The first few of the person's own, and both counts, in one query.
    upcoming = meetings_upcoming_summary(user=request.user, shown=SHOWN)
    return {
        "mine": [
            {"pk": pk, "title": title, "starts_at": starts_at, "own_status": status}
            for pk, title, starts_at, status in upcoming.mine
        ],
        "mine_count": upcoming.mine_count,
        "open_count": upcoming.open_count,
    }


def requests_context(request) -> dict | None:
    if not policy.can(request.user, access.Action.MEETING_REQUEST):
        return None
    open_requests = requests_for(request.user).filter(status__in=MeetingRequest.OPEN)
    return {"open": list(open_requests[:SHOWN]), "open_count": open_requests.count()}


SECTIONS = (
    Section(
        name="attendance.meetings",
        template_name="attendance/my_page/meetings.html",
        get_context=meetings_context,
        order=20,
    ),
    Section(
        name="attendance.requests",
        template_name="attendance/my_page/requests.html",
        get_context=requests_context,
        order=60,
    ),
)
