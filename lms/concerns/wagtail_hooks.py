"""Registers the concern cases' admin (lms.concerns.viewsets.cases), its admin home panel
(lms.concerns.panels) and their audit actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_admin_urls")
def register_concern_admin_urls():
    from django.urls import include, path

    from lms.concerns.viewsets.cases import admin_urlpatterns

    return [path("concerns/", include((admin_urlpatterns, "concerns_admin")))]


@hooks.register("register_admin_menu_item")
def register_concern_menu_item():
    from lms.concerns.viewsets.cases import menu_item

    return menu_item()


@hooks.register("construct_homepage_panels")
def add_concern_home_panels(request, panels):
    from lms.concerns.panels import panels_for

    panels.extend(panels_for(request))


@hooks.register("register_log_actions")
def register_concern_log_actions(actions):
    for action, label, message in (
        ("lms.concern.create", _("Report a concern"), _("Concern received")),
        ("lms.concern.view", _("Open a concern"), _("Concern opened")),
        ("lms.concern.erase", _("Erase a concern's text"), _("Text and names erased")),
        ("lms.concern.remind", _("Remind of a concern's deadline"), _("Deadline reminder sent")),
        ("lms.concern_settings.change", _("Change concern deadlines"), _("Deadlines changed")),
        (
            "lms.concern_service.create",
            _("Add a forwarding service"),
            _("Forwarding service added"),
        ),
        (
            "lms.concern_service.change",
            _("Change a forwarding service"),
            _("Forwarding service changed"),
        ),
        (
            "lms.concern_service.delete",
            _("Delete a forwarding service"),
            _("Forwarding service deleted"),
        ),
    ):
        actions.register_action(action, label, message)

    from wagtail.log_actions import LogFormatter

    from lms.concerns.models import Concern

    @actions.register_action("lms.concern.advance")
    class AdvanceFormatter(LogFormatter):
        label = _("Record a step of a concern")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            step = data.get("to", "")
            label = Concern.Status(step).label if step in Concern.Status.values else step
            message = _("Step recorded: %(step)s") % {"step": label}
            if data.get("forwarded_to"):
                # To whom the case was forwarded (a service, never a person).
                message += " · " + _("forwarded to %(service)s") % {"service": data["forwarded_to"]}
            return message
