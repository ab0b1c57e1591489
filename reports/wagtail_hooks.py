"""Registers this app's admin: the coverage dashboard's URLs, its menu item and the steering
group's admin home panel (reports.panels)."""

from wagtail import hooks


@hooks.register("register_admin_urls")
def register_coverage_urls():
    from django.urls import include, path

    from reports.viewsets.coverage import admin_urlpatterns

    return [path("overblik/", include((admin_urlpatterns, "reports_coverage")))]


@hooks.register("register_admin_urls")
def register_trend_and_halfyear_urls():
    from django.urls import include, path

    from reports.viewsets import halfyear, trend

    return [
        path("overblik/udvikling/", include((trend.admin_urlpatterns, "reports_trend"))),
        path("overblik/halvaar/", include((halfyear.admin_urlpatterns, "reports_halfyear"))),
    ]


@hooks.register("register_admin_menu_item")
def register_coverage_menu_item():
    from reports.viewsets.coverage import menu_item

    return menu_item()


@hooks.register("construct_homepage_panels")
def add_reports_home_panels(request, panels):
    from reports.panels import panels_for

    panels.extend(panels_for(request))


@hooks.register("register_log_actions")
def register_reports_log_actions(actions):
    from django.utils.translation import gettext_lazy as _

    for action, label, message in [
        (
            "reports.steering_meeting.create",
            _("Add steering group meeting"),
            _("Steering group meeting added"),
        ),
        (
            "reports.steering_meeting.edit",
            _("Edit steering group meeting"),
            _("Steering group meeting edited"),
        ),
        (
            "reports.steering_meeting.delete",
            _("Delete steering group meeting"),
            _("Steering group meeting deleted"),
        ),
    ]:
        actions.register_action(action, label, message)
