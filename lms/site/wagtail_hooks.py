"""Registers the public site's audit-log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_site_log_actions(actions):
    from .editors import LOG_ACTION

    actions.register_action(LOG_ACTION, _("Update site editors"), _("Site editors updated"))
