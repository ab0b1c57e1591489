from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"

    def ready(self):
        # Min side (lms.site) shows what this app registers; the core names no course page.
        from courses.my_page import SECTIONS
        from lms.site.my_page import section_register

        for section in SECTIONS:
            section_register(section)
        register_links()
        # Courses as items a newsletter may point at (lms.site.teasers).
        from courses import teasers

        teasers.register()
        # What the learner pages cache is dropped when a learner's progress changes.
        from courses import signals

        signals.connect()

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the course catalogue, the two demo courses and the roster's progress."""
        from courses.demo.courses import courses_demo_load

        return courses_demo_load()


def register_links() -> None:
    """The header's link to one's learning; the courses as a way to renew a competence, the
    certificates and the team's page for My competences and its reminders
    (lms.competence.links)."""
    from lms.competence import links
    from lms.site import navigation

    navigation.link_register(
        navigation.Link("learning", _("My learning"), "courses:my_learning", order=50)
    )
    for link in (
        links.Link(links.Place.RENEWAL, "learning", _("Your courses"), "courses:my_learning", 10),
        links.Link(
            links.Place.HOLDER, "certificates", _("My course certificates"), "courses:certificates"
        ),
        links.Link(links.Place.TEAM, "team", _("My team's competences"), "courses:team"),
    ):
        links.link_register(link)
