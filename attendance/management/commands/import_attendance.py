"""manage.py import_attendance MEETING_ID FILE: all or nothing, errors listed per row."""

from django.core.management.base import BaseCommand, CommandError

from attendance.imports import attendance_import
from attendance.models import Meeting


class Command(BaseCommand):
    help = "Import a meeting's attendance from CSV (email or employee_number, mark)."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=int)
        parser.add_argument("file")

    def handle(self, *args, meeting_id, file, **options):
        meeting = Meeting.objects.select_related("org_unit").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(f"No meeting with id {meeting_id}.")
        result = attendance_import(meeting=meeting, source=file, by=None)
        for error in result.errors:
            self.stderr.write(str(error))
        if not result.ok:
            raise CommandError(result.summary())
        self.stdout.write(result.summary())
