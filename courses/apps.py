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
        connect_audience_signals()

    def demo_load(self):
        """Called by `manage.py load_demo_data` (which imports no feature app) after the core's
        demo data: the course catalogue, the two demo courses and the roster's progress."""
        from courses.demo.courses import courses_demo_load

        return courses_demo_load()


def connect_audience_signals() -> None:
    """The catalogue caches each live course with its audience under the site cache's version
    (courses.selectors.courses): a page's change gives it a new version (lms.site.signals), and
    so must an audience that changes without its page being saved: its rows set through the
    relation (a unit or a job category deleted with its rows: lms.site.signals)."""
    from django.db.models.signals import m2m_changed

    from courses.models import CoursePage
    from lms.site.signals import on_site_changed

    for field in (CoursePage.audience_units, CoursePage.job_categories):
        m2m_changed.connect(
            on_site_changed,
            sender=field.through,
            dispatch_uid=f"courses.audience.m2m.{field.through.__name__}",
        )


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
