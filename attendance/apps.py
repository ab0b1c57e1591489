from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the season of meetings, with the demo meeting requests and Action Cards."""
        from .demo import attendance_demo_load

        return attendance_demo_load()
