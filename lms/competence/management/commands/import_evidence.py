"""python manage.py import_evidence FILE [--dry-run]"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from lms.competence.imports import evidence_import
from lms.people.management.reporting import report_import


class Command(BaseCommand):
    help = (
        "Record external courses (CDE / formerly NCFE, SIRI, Infohus Nordjylland) as evidence from "
        "a CSV or XLSX file (columns: email and/or employee_number, competence, source, "
        "achieved_on, reference). All or nothing; a course already recorded is skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX")
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and count; write nothing."
        )

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            result = evidence_import(source=options["file"], dry_run=options["dry_run"])
            report_import(self, result)
