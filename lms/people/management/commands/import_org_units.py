"""python manage.py import_org_units FILE [--dry-run] [--scope CODE]"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from lms.people.management.reporting import report_import
from lms.people.services.org_unit_import import org_units_import

from .import_roster import scope_unit


class Command(BaseCommand):
    help = (
        "Import organisation units from a CSV or XLSX file (columns: code, name, kind, "
        "parent_code). Creates, renames and moves units by code. All or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count; write nothing."
        )
        parser.add_argument(
            "--scope",
            metavar="CODE",
            help="Refuse any unit outside this org unit's subtree.",
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            result = org_units_import(
                source=options["file"],
                dry_run=options["dry_run"],
                scope=scope_unit(options["scope"]),
            )
            report_import(self, result)
