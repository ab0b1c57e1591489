from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConcernsConfig(AppConfig):
    name = "lms.concerns"
    label = "concerns"
    verbose_name = _("Concerns")

    def ready(self):
        from lms.concerns import access
        from lms.concerns.my_page import CASES_SECTION, SECTION
        from lms.site.my_page import section_register

        # The core's access policy learns who may read cases and who may see that one is open.
        access.register()
        # A reporter sees on Min side whether the Infohus has given feedback.
        section_register(SECTION)
        # The Infohus members who read cases see how many are open and overdue.
        section_register(CASES_SECTION)
