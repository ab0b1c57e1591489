from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_admin_urls")
def register_urgent_message_urls():
    from django.urls import include, path

    from newsletters.viewsets.urgent import admin_urlpatterns

    return [path("urgent/", include((admin_urlpatterns, "urgent_messages")))]


@hooks.register("register_admin_urls")
def register_audience_default_urls():
    from django.urls import include, path

    from newsletters.viewsets.audiences import admin_urlpatterns

    return [path("newsletter-audience/", include((admin_urlpatterns, "newsletter_audiences")))]


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    for action, label, message in (
        ("lms.newsletter_send.create", _("Create newsletter send"), _("Newsletter send created")),
        ("lms.newsletter_send.update", _("Edit newsletter send"), _("Newsletter send edited")),
        ("lms.newsletter_send.schedule", _("Schedule newsletter send"), _("Send scheduled")),
        ("lms.newsletter_send.start", _("Start newsletter send"), _("Send started")),
        ("lms.newsletter_send.pause", _("Pause newsletter send"), _("Send paused")),
        ("lms.newsletter_send.resume", _("Resume newsletter send"), _("Send resumed")),
        ("lms.newsletter_send.cancel", _("Cancel newsletter send"), _("Send cancelled")),
        (
            "lms.newsletter_send.retry_failed",
            _("Send again to the failed"),
            _("Sent again to the failed"),
        ),
        ("lms.newsletter_send.test", _("Send a test"), _("Test sent")),
        ("lms.newsletter_send.finish", _("Finish newsletter send"), _("Send finished")),
        (
            "lms.newsletter_send.start_refused",
            _("Scheduled send refused"),
            _("The scheduled send could not start and is a draft again"),
        ),
        ("lms.newsletter_optout.create", _("Unsubscribe"), _("Unsubscribed from newsletters")),
        ("lms.newsletter_plan.change", _("Change newsletter plan"), _("Newsletter plan changed")),
        (
            "lms.newsletter_plan.remind",
            _("Remind of the next newsletter"),
            _("Coordinators reminded that the next newsletter is due"),
        ),
        ("lms.urgent_message.send", _("Send urgent message"), _("Urgent message sent")),
        (
            "lms.newsletter_audience_default.set",
            _("Set default audience"),
            _("Default newsletter audience set"),
        ),
    ):
        actions.register_action(action, label, message)


@hooks.register("register_admin_urls")
def register_newsletter_plan_urls():
    from django.urls import include, path

    from newsletters.viewsets.plans import admin_urlpatterns

    return [path("newsletter-plan/", include((admin_urlpatterns, "newsletter_plan")))]


@hooks.register("register_admin_urls")
def register_newsletter_send_urls():
    from django.urls import include, path

    from newsletters.viewsets.sends import admin_urlpatterns

    return [path("newsletter-sends/", include((admin_urlpatterns, "newsletter_sends")))]


@hooks.register("register_admin_menu_item")
def register_newsletter_menu_item():
    """One "Nyhedsbreve" submenu: the sends, urgent messages, the default audience."""
    from newsletters.viewsets.menu import menu_item

    return menu_item()


@hooks.register("register_page_header_buttons")
def newsletter_page_header_buttons(page, user, view_name=None, next_url=None):
    from newsletters.viewsets.sends import page_buttons

    yield from page_buttons(page, user)


@hooks.register("register_page_listing_more_buttons")
def newsletter_page_listing_more_buttons(page, user, next_url=None):
    from newsletters.viewsets.sends import page_buttons

    yield from page_buttons(page, user)


@hooks.register("construct_homepage_panels")
def add_newsletter_home_panels(request, panels):
    """The sends under way and "Næste nyhedsbrev" (newsletters.panels)."""
    from newsletters.panels import home_panels_for

    panels.extend(home_panels_for(request))
