from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "attendance"

    def ready(self):
        # The core's access policy learns this app's actions and grants.
        from attendance import access

        access.register()
        # Min side (lms.site) shows what this app registers; the core names no meeting page.
        from attendance.my_page import SECTIONS
        from lms.site.my_page import section_register

        for section in SECTIONS:
            section_register(section)

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the season of meetings, with the demo meeting requests and Action Cards."""
        from attendance.demo.meetings import attendance_demo_load

        return attendance_demo_load()
