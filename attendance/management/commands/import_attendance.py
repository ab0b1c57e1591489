"""manage.py import_attendance MEETING_ID FILE: all or nothing, errors listed per row."""

from django.core.management.base import CommandError

from attendance.models import Meeting
from attendance.services.attendance import attendance_import
from lms.management.imports import ImportCommand


class Command(ImportCommand):
    help = "Import a meeting's attendance from CSV (email or employee_number, mark)."
    has_dry_run = False

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=int)
        super().add_arguments(parser)

    def run(self, options):
        meeting_id = options["meeting_id"]
        meeting = Meeting.objects.select_related("org_unit").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(f"No meeting with id {meeting_id}.")
        return attendance_import(meeting=meeting, source=options["file"], by=None)
