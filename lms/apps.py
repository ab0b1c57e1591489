from django.apps import AppConfig


class LmsConfig(AppConfig):
    """The project package itself: platform-wide commands (healthcheck) and tasks."""

    name = "lms"
    verbose_name = "Infohus LMS"

    def ready(self):
        from lms.parsing import register_lookups

        register_lookups()
