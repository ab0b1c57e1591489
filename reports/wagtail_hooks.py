"""Registers this app's admin home panel (reports.panels)."""

from wagtail import hooks


@hooks.register("construct_homepage_panels")
def add_reports_home_panels(request, panels):
    from reports.panels import panels_for

    panels.extend(panels_for(request))
