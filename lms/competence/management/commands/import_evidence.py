"""python manage.py import_evidence FILE [--dry-run]"""

from lms.competence.services.imports import evidence_import
from lms.management.imports import ImportCommand


class Command(ImportCommand):
    help = (
        "Record external courses (CDE / formerly NCFE, SIRI, Infohus Nordjylland) as evidence from "
        "a CSV or XLSX file (columns: email and/or employee_number, competence, source, "
        "achieved_on, reference). All or nothing; a course already recorded is skipped."
    )

    def run(self, options):
        return evidence_import(source=options["file"], dry_run=options["dry_run"])
