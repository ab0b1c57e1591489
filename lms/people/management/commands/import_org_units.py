"""python manage.py import_org_units FILE [--dry-run] [--scope CODE]"""

from lms.management.imports import ImportCommand
from lms.people.management.commands.import_roster import scope_unit
from lms.people.services.org_unit_import import org_units_import


class Command(ImportCommand):
    help = (
        "Import organisation units from a CSV or XLSX file (columns: code, name, kind, "
        "parent_code). Creates, renames and moves units by code. All or nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--scope",
            metavar="CODE",
            help="Refuse any unit outside this org unit's subtree.",
        )

    def run(self, options):
        return org_units_import(
            source=options["file"],
            dry_run=options["dry_run"],
            scope=scope_unit(options["scope"]),
        )
