from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "lms.site"
    label = "site"
    verbose_name = _("Public site")

    def ready(self):
        from lms.site.navigation import Current, Link, link_register
        from lms.site.signals import connect
        # Page editors follow role assignments (lms.site.services.editors).

        # Page editors follow role assignments (lms.site.editors).
        connect()
        link_register(Link("my_page", _("My page"), "site:my_page", order=20, current=Current.VIEW))
