"""This app's panels on the admin home (Wagtail's construct_homepage_panels hook).

Each panel asks the access policy whom it is for and reads only what that user may see: a
coordinator gets the requests they may answer and the meetings they manage; a department or
institution contact their own area's requests and meetings. Each row has its everyday action one
click away.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.ui.components import Component

from attendance import access
from attendance.models import ActionCard, ActionCardVersion, Meeting, MeetingRequest
from lms.people import policy

SHOWN = 8
# Cards whose review date falls within this many days are listed as due for review.
REVIEW_SOON_DAYS = 30


class _Panel(Component):
    template_name = "attendance/admin/home_panel.html"
    heading = ""
    order = 100
    # The full list the panel's "more" link leads to: a URL name and an optional query string.
    more_route = ""
    more_query = ""

    def __init__(self, request):
        self.request = request

    @property
    def more_url(self) -> str:
        return reverse(self.more_route) + self.more_query

    def rows(self) -> tuple[list[dict], int]:
        raise NotImplementedError

    def get_context_data(self, parent_context):
        rows, total = self.rows()
        return {
            "heading": self.heading,
            "panel_id": self.name,
            "rows": rows,
            "total": total,
            "more_url": self.more_url,
            "more_label": self.more_label,
            "empty": self.empty,
        }


class MeetingRequestsPanel(_Panel):
    """Open requests: to answer (coordinators) or to follow (those who asked)."""

    name = "meeting_requests"
    order = 100
    more_route = "meeting_requests:index"
    more_query = "?status=open"

    def __init__(self, request):
        super().__init__(request)
        user = request.user
        self.answers = policy.can(user, access.Action.MEETING_MANAGE)
        if self.answers:
            self.heading = _("Open meeting requests")
            self.empty = _("No meeting request is waiting for an answer.")
        else:
            self.heading = _("Your meeting requests")
            self.empty = _("You have no open meeting requests.")
        self.more_label = _("All meeting requests")

    def rows(self):
        user = self.request.user
        requests = MeetingRequest.objects.filter(status__in=MeetingRequest.OPEN)
        if self.answers:
            requests = access.requests_answerable_by(user, requests)
        else:
            requests = access.requests_visible_to(user, requests)
        requests = requests.select_related("org_unit").order_by("created_at", "pk")
        total = requests.count()
        rows = []
        for meeting_request in requests[:SHOWN]:
            url = reverse("meeting_requests:item", args=(meeting_request.pk,))
            waiting_for_us = meeting_request.status == MeetingRequest.Status.SUBMITTED
            rows.append(
                {
                    "title": f"{meeting_request.org_unit.name}: "
                    f"{meeting_request.get_kind_display()}",
                    "detail": meeting_request.get_status_display(),
                    "url": url,
                    "action": pgettext_lazy("action", "Answer")
                    if self.answers and waiting_for_us
                    else pgettext_lazy("action", "Open"),
                }
            )
        return rows, total


class UpcomingMeetingsPanel(_Panel):
    """The next meetings: those a coordinator manages, with free seats; for other roles, the
    meetings organised in or aimed at their area."""

    name = "upcoming_meetings"
    order = 110
    heading = _("Upcoming meetings")
    empty = _("No upcoming meetings.")
    more_label = _("All meetings")
    more_route = "meetings:index"

    def rows(self):
        user = self.request.user
        manages = policy.can(user, access.Action.MEETING_MANAGE)
        meetings = Meeting.objects.filter(
            starts_at__gt=timezone.now(),
            status__in=[Meeting.Status.PUBLISHED, Meeting.Status.DRAFT],
        )
        meetings = access.meetings_in_staff_view(user, meetings).order_by("starts_at", "pk")
        total = meetings.count()
        shown = list(meetings.annotate(free=F("capacity") - F("confirmed_count"))[:SHOWN])
        managed = set()
        if manages:
            managed = set(
                access.meetings_managed_by(
                    user, Meeting.objects.filter(pk__in=[m.pk for m in shown])
                ).values_list("pk", flat=True)
            )
        rows = []
        for meeting in shown:
            may_edit = meeting.pk in managed
            starts = timezone.localtime(meeting.starts_at)
            detail = _("%(when)s · %(free)s of %(capacity)s seats free") % {
                "when": date_format(starts, "j. F Y, H:i"),
                "free": max(meeting.free, 0),
                "capacity": meeting.capacity,
            }
            if meeting.status == Meeting.Status.DRAFT:
                detail = f"{detail} · {meeting.get_status_display()}"
            rows.append(
                {
                    "title": meeting.title,
                    "detail": detail,
                    "url": reverse(
                        "meetings:edit" if may_edit else "meetings:inspect", args=(meeting.pk,)
                    ),
                    "action": pgettext_lazy("action", "Edit")
                    if may_edit
                    else pgettext_lazy("action", "Open"),
                }
            )
        return rows, total


class ActionCardsPanel(_Panel):
    """Card drafts waiting for approval, and approved cards due for review."""

    name = "action_cards"
    order = 120
    heading = _("Action Cards to approve or review")
    empty = _("No Action Card draft is waiting, and no card is due for review.")
    more_label = _("All Action Cards")
    more_route = "action_cards:index"

    def rows(self):
        user = self.request.user
        cards = access.cards_visible_to(user, ActionCard.objects.all())
        drafts = (
            ActionCardVersion.objects.filter(
                status=ActionCardVersion.Status.DRAFT, card__in=cards.values("pk")
            )
            .select_related("card")
            .order_by("created_at", "pk")
        )
        review_by = timezone.localdate() + dt.timedelta(days=REVIEW_SOON_DAYS)
        due = (
            cards.filter(current_version__review_date__lte=review_by)
            .select_related("current_version")
            .order_by("current_version__review_date", "pk")
        )
        rows = []
        for version in drafts[:SHOWN]:
            rows.append(
                {
                    "title": version.title,
                    "detail": _("Draft of version %(number)s awaits approval")
                    % {"number": version.number},
                    "url": reverse("action_cards:version_approve", args=(version.pk,)),
                    "action": _("Review and approve"),
                }
            )
        for card in due[: max(SHOWN - len(rows), 0)]:
            version = card.current_version
            rows.append(
                {
                    "title": version.title,
                    "detail": _("Review by %(date)s")
                    % {"date": date_format(version.review_date, "j. F Y")},
                    "url": reverse("action_cards:inspect", args=(card.pk,)),
                    "action": pgettext_lazy("action", "Open"),
                }
            )
        return rows, drafts.count() + due.count()


def panels_for(request) -> list[Component]:
    user = request.user
    panels: list[Component] = []
    if policy.can(user, access.Action.MEETING_MANAGE) or policy.can(
        user, access.Action.MEETING_REQUEST
    ):
        panels.append(MeetingRequestsPanel(request))
    if policy.can(user, access.Action.MEETING_VIEW):
        panels.append(UpcomingMeetingsPanel(request))
    if policy.can(user, access.Action.ACTIONCARD_APPROVE):
        panels.append(ActionCardsPanel(request))
    return panels
