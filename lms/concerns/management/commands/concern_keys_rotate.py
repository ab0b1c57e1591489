"""Re-encrypt every concern with the newest key of LMS_CONCERN_KEYS (see README)."""

from django.core.management.base import BaseCommand

from lms.concerns.services.keys import concern_keys_rotate


class Command(BaseCommand):
    help = "Encrypt every concern's text again with the first (newest) key of LMS_CONCERN_KEYS."

    def handle(self, *args, **options):
        count = concern_keys_rotate()
        self.stdout.write(f"{count} concerns encrypted with the newest key.")
