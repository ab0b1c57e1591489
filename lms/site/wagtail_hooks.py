"""Registers the public site's audit-log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_site_log_actions(actions):
    from lms.site.services.editors import LOG_ACTION

    actions.register_action(LOG_ACTION, _("Update site editors"), _("Site editors updated"))


# Wagtail's generic summary ("12 Pages / 0 Images") says nothing a role needs: the features put
# their own panels on the home page (construct_homepage_panels in their wagtail_hooks).
@hooks.register("construct_homepage_summary_items")
def remove_generic_summary_items(request, items):
    items.clear()
