"""manage.py sync_editor_groups: bring every site's editors' group in line with the roles."""

from django.core.management.base import BaseCommand

from lms.site.services.editors import editor_groups_sync


class Command(BaseCommand):
    help = (
        "Give each site's editors' group the page and collection permissions it needs and, as "
        "members, exactly the users whose roles let them edit that site's pages. Idempotent."
    )

    def handle(self, *args, **options):
        result = editor_groups_sync()
        self.stdout.write(result.summary() if result.changed else "Nothing to change.")
