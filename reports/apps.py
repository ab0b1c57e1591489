from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        # The core's access policy learns this app's actions and grants.
        from reports import access

        access.register()
