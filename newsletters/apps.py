from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"

    def ready(self):
        # The core's access policy learns this app's actions and grants.
        from newsletters import access

        access.register()
