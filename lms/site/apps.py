from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    name = "lms.site"
    label = "site"
    verbose_name = _("Public site")

    def ready(self):
        # Page editors follow role assignments (lms.site.services.editors).
        from lms.site.signals import connect

        connect()
