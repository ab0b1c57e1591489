from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        # The core's access policy learns this app's actions and grants.
        from reports import access

        access.register()

        # A write to the evidence ledger queues a (debounced) refresh of the coverage aggregate.
        from reports import signals

        signals.connect()

    def demo_load(self):
        """Called by `manage.py load_demo_data` after every other app's demo data (reports is
        last in INSTALLED_APPS): the coverage aggregate, computed from it."""
        from reports.demo.coverage import coverage_demo_load

        return coverage_demo_load()
