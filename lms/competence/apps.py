from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    name = "lms.competence"
    label = "competence"
    verbose_name = _("Competences")

    def ready(self):
        from lms.competence.my_page import SECTION
        from lms.site.my_page import section_register

        section_register(SECTION)
