"""Registers this app's admin: the coverage dashboard's URLs, its menu item and the steering
group's admin home panel (reports.panels)."""

from wagtail import hooks


@hooks.register("register_admin_urls")
def register_coverage_urls():
    from django.urls import include, path

    from reports.viewsets.coverage import admin_urlpatterns

    return [path("overblik/", include((admin_urlpatterns, "reports_coverage")))]


@hooks.register("register_admin_menu_item")
def register_coverage_menu_item():
    from reports.viewsets.coverage import menu_item

    return menu_item()


@hooks.register("construct_homepage_panels")
def add_reports_home_panels(request, panels):
    from reports.panels import panels_for

    panels.extend(panels_for(request))
