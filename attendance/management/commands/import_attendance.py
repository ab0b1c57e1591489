"""manage.py import_attendance MEETING_ID FILE: all or nothing, errors listed per row."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from attendance.imports import attendance_import
from attendance.models import Meeting
from lms.people.management.reporting import report_import


class Command(BaseCommand):
    help = "Import a meeting's attendance from CSV (email or employee_number, mark)."

    def add_arguments(self, parser):
        parser.add_argument("meeting_id", type=int)
        parser.add_argument("file")

    def handle(self, *args, meeting_id, file, **options):
        meeting = Meeting.objects.select_related("org_unit").filter(pk=meeting_id).first()
        if meeting is None:
            raise CommandError(f"No meeting with id {meeting_id}.")
        with translation.override(settings.LANGUAGE_CODE):
            result = attendance_import(meeting=meeting, source=file, by=None)
            report_import(self, result)
