"""Registers the meeting admin (attendance.viewsets) and the audit-log actions of this app."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .permissions import register as register_permission_policies

# Before anything asks Wagtail for the meeting model's policy (it would create a fallback).
register_permission_policies()


@hooks.register("register_admin_viewset")
def register_meeting_viewset():
    from .viewsets import MeetingViewSet

    return MeetingViewSet("meetings")


# --- meeting requests: admin queue (attendance.request_admin) ---
# --- end meeting requests ---

# --- Action Cards and distributions (attendance.card_admin) ---
# --- end Action Cards ---


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
    ):
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def register_attendance_admin_urls():
    from django.urls import include, path

    from .attendance_views import admin_urlpatterns

    return [path("attendance/", include((admin_urlpatterns, "attendance_admin")))]
