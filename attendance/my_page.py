"""This app's sections of Min side (lms.site.my_page): the person's upcoming meetings, and the
meeting requests of those who may ask for meetings. Registered in AttendanceConfig.ready()."""

from __future__ import annotations

from django.db.models import Count, Q

from attendance import access
from attendance.models import MeetingRequest
from attendance.selectors.meetings import meetings_upcoming_for
from attendance.selectors.requests import requests_for
from lms.people import policy
from lms.site.my_page import Section

SHOWN = 5


def meetings_context(request) -> dict | None:
    if policy.person_of(request.user) is None:
        return None
    upcoming = meetings_upcoming_for(user=request.user)
    mine = upcoming.filter(own_registration_id__isnull=False)
    # Both counts in one aggregate over the upcoming meetings.
    counts = upcoming.order_by().aggregate(
        total=Count("pk"), mine=Count("pk", filter=Q(own_registration_id__isnull=False))
    )
    return {
        "mine": list(mine[:SHOWN]),
        "mine_count": counts["mine"],
        "open_count": counts["total"] - counts["mine"],
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
