"""Registers this app's admin (attendance.viewsets) and the audit-log actions of this app."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_meeting_viewset():
    from attendance.viewsets.meetings import MeetingViewSet

    return MeetingViewSet("meetings")


@hooks.register("register_admin_urls")
def register_meeting_request_urls():
    from django.urls import include, path

    from attendance.viewsets.requests import admin_urlpatterns

    return [path("meeting-requests/", include((admin_urlpatterns, "meeting_requests")))]


@hooks.register("register_admin_menu_item")
def register_meeting_request_menu_item():
    from attendance.viewsets.requests import menu_item

    return menu_item()


@hooks.register("register_admin_viewset")
def register_card_viewsets():
    from attendance.viewsets.cards import ActionCardViewSetGroup

    return ActionCardViewSetGroup()


CARD_LOG_ACTIONS = (
    ("lms.actioncard.create", _("Create Action Card"), _("Action Card created")),
    ("lms.actioncard.update", _("Edit Action Card"), _("Action Card details edited")),
    ("lms.actioncard.version_create", _("Start new version"), _("New draft version started")),
    ("lms.actioncard.edit", _("Edit draft version"), _("Draft version edited")),
    ("lms.actioncard.approve", _("Approve version"), _("Version approved")),
    ("lms.actioncard.discard", _("Discard draft"), _("Draft version discarded")),
    ("lms.distribution.record", _("Record Action Cards handed out"), _("Distribution recorded")),
    ("lms.distribution.update", _("Change distribution"), _("Distribution quantity changed")),
    ("lms.distribution.delete", _("Delete distribution"), _("Distribution deleted")),
)


@hooks.register("register_log_actions")
def register_attendance_log_actions(actions):
    for action, label, message in (
        ("lms.meeting.create", _("Create meeting"), _("Meeting created")),
        ("lms.meeting.update", _("Edit meeting"), _("Meeting edited")),
        ("lms.meeting.publish", _("Publish meeting"), _("Meeting published")),
        ("lms.meeting.cancel", _("Cancel meeting"), _("Meeting cancelled")),
        ("lms.meeting.held", _("Mark meeting as held"), _("Meeting marked as held")),
        ("lms.meeting.close", _("Close meeting"), _("Meeting closed")),
        ("lms.registration.create", _("Sign up"), _("Registration created")),
        ("lms.registration.cancel", _("Cancel registration"), _("Registration cancelled")),
        (
            "lms.registration.promote",
            _("Promote from waiting list"),
            _("Registration promoted from the waiting list"),
        ),
        ("lms.attendance.mark", _("Mark attendance"), _("Attendance marked")),
        ("lms.attendance.walk_in", _("Add walk-in"), _("Walk-in added")),
        # meeting requests
        ("lms.meetingrequest.create", _("Request a meeting"), _("Meeting requested")),
        ("lms.meetingrequest.accept", _("Accept meeting request"), _("Meeting request accepted")),
        ("lms.meetingrequest.propose", _("Propose another time"), _("Another time proposed")),
        (
            "lms.meetingrequest.proposal_accept",
            _("Accept the proposed time"),
            _("Proposed time accepted"),
        ),
        (
            "lms.meetingrequest.proposal_decline",
            _("Decline the proposed time"),
            _("Proposed time declined"),
        ),
        (
            "lms.meetingrequest.decline",
            _("Decline meeting request"),
            _("Meeting request declined"),
        ),
        (
            "lms.meetingrequest.withdraw",
            _("Withdraw meeting request"),
            _("Meeting request withdrawn"),
        ),
        *CARD_LOG_ACTIONS,
        ("lms.booking.create", _("Book seats for staff"), _("Seats booked for named staff")),
    ):
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def register_attendance_admin_urls():
    from django.urls import include, path

    from attendance.viewsets.attendance import admin_urlpatterns

    return [path("attendance/", include((admin_urlpatterns, "attendance_admin")))]


@hooks.register("construct_homepage_panels")
def add_attendance_home_panels(request, panels):
    from attendance.panels import panels_for

    panels.extend(panels_for(request))
