from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"

    def ready(self):
        # The core's access policy learns this app's actions and grants.
        from newsletters import access

        access.register()

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the newsletter archive, the year's two editions sent to the demo staff, and a
        draft of the next."""
        from newsletters.demo.editions import newsletters_demo_load

        return newsletters_demo_load()
