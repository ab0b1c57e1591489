from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "lms.people"
    label = "people"
    verbose_name = _("People and organisation")

    def ready(self):
        # Link a signed-in user to their roster Person by verified email (allauth signals).
        from lms.people.signals import connect_signals

        connect_signals()
