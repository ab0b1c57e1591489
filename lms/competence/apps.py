from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "lms.competence"
    label = "competence"
    verbose_name = _("Competences")

    def ready(self):
        from lms.site.my_page import section_register

        from . import access
        from .my_page import SECTION

        # The core's access policy learns this app's actions and grants.
        access.register()

        section_register(SECTION)
