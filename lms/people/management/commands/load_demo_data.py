"""python manage.py load_demo_data: the Hjørring-like demo municipality, roster, logins and site,
then each feature app's own demo data.

The core imports no feature app: an installed app that has demo data gives its AppConfig a
`demo_load()` method returning a result with `changed` and `summary()`; they are called in
INSTALLED_APPS order after the core's demo data is loaded.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.text import capfirst

from lms.competence.demo.competences import competence_demo_load
from lms.people.demo.people import DEMO_PASSWORD, DemoDataError, demo_data_load


class Command(BaseCommand):
    help = (
        "Load the demo data: a Hjørring-like municipality, 1,500+ people, one login per role, "
        "the public site, and each app's own demo data (a season of meetings, meeting requests, "
        "Action Cards). Idempotent: a second run adds nothing."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "LMS_DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "Refusing to load the demo data: it creates logins whose password is published "
                f"({DEMO_PASSWORD!r}), a superuser among them. Only the demo run "
                "(DJANGO_SETTINGS_MODULE=lms.settings.dev) and the tests allow it "
                "(settings.LMS_DEMO_DATA_ALLOWED)."
            )
        try:
            result = demo_data_load()
        except DemoDataError as exc:
            raise CommandError(str(exc)) from exc
        competences = competence_demo_load()
        features = [
            (config, config.demo_load())
            for config in apps.get_app_configs()
            if callable(getattr(config, "demo_load", None))
        ]

        if result.changed or competences.changed or any(r.changed for _c, r in features):
            with translation.override("en"):
                org_units, roster = result.org_units.summary(), result.roster.summary()
            lines = [
                f"Job categories: {result.job_categories_created} created",
                f"Organisation units: {org_units}",
                f"Roster: {roster}",
                f"Demo users: {result.users_created} created, "
                f"{result.emails_verified} addresses verified, {result.people_linked} linked to "
                f"the roster, {result.roles_created} roles assigned",
                "Site: " + (", ".join(result.site_changes) or "no changes"),
                f"Competences: {competences.summary()}",
            ]
            lines += [f"{capfirst(config.verbose_name)}: {r.summary()}" for config, r in features]
            self.stdout.write("\n".join(lines))
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Nothing to add: the demo data is already loaded.")

        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(login.email) for login in result.logins)
        for login in result.logins:
            self.stdout.write(f"  {login.email:<{width}}  {login.label}")
