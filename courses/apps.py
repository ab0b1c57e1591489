from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self):
        # Min side (lms.site) shows what this app registers; the core names no course page.
        from courses.my_page import SECTIONS
        from lms.site.my_page import section_register

        for section in SECTIONS:
            section_register(section)

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the course catalogue, the two demo courses and the roster's progress."""
        from courses.demo.courses import courses_demo_load

        return courses_demo_load()
