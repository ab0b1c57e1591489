"""The base of every all-or-nothing import command: the file argument, --dry-run, Danish output,
and the summary or every error with a non-zero exit status."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation


def report_import(command: BaseCommand, result) -> None:
    """Print the summary, or every error and fail (a non-zero exit status).

    `result` is any import result with `ok`, `errors` and `summary()` (roster, org units,
    external courses, attendance)."""
    if not result.ok:
        for error in result.errors:
            command.stderr.write(str(error))
        raise CommandError(result.summary())
    command.stdout.write(result.summary())


class ImportCommand(BaseCommand):
    """Subclasses set `help`, add their own arguments after calling super().add_arguments() and
    run the import in `run(options)`."""

    has_dry_run = True

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (comma or semicolon, UTF-8 or Windows-1252) or XLSX")
        if self.has_dry_run:
            parser.add_argument(
                "--dry-run", action="store_true", help="Validate and count; write nothing."
            )

    def run(self, options: dict):
        raise NotImplementedError

    def handle(self, *args, **options):
        # Like the admin, the commands report in the site's language.
        with translation.override(settings.LANGUAGE_CODE):
            report_import(self, self.run(options))
