"""python manage.py import_roster FILE [--dry-run] [--mark-missing-as-left] [--scope CODE]"""

from django.core.management.base import CommandError

from lms.management.imports import ImportCommand
from lms.people.models import OrgUnit
from lms.people.services.roster_import import roster_import


def scope_unit(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(f"No organisation unit has the code {code!r}.")
    return unit


class Command(ImportCommand):
    help = (
        "Import the staff roster from a CSV or XLSX file (columns: employee_number, name, email, "
        "org_unit_code, job_category, manager_employee_number). All or nothing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--mark-missing-as-left",
            action="store_true",
            help=(
                "Mark active people who are not in the file as left (never deletes). Needs "
                "--scope when the tree has more than one top unit; never touches external units "
                "(institution, partner) unless --scope is one."
            ),
        )
        parser.add_argument(
            "--scope",
            metavar="CODE",
            help="Limit the import to this org unit's subtree (units and people marked left).",
        )

    def run(self, options):
        return roster_import(
            source=options["file"],
            dry_run=options["dry_run"],
            mark_missing_as_left=options["mark_missing_as_left"],
            scope=scope_unit(options["scope"]),
        )
