"""What every all-or-nothing import command prints, and its exit status."""

from django.core.management.base import BaseCommand, CommandError


def report_import(command: BaseCommand, result) -> None:
    """Print the summary, or every error and fail (a non-zero exit status).

    `result` is any import result with `ok`, `errors` and `summary()` (roster, org units,
    attendance)."""
    if not result.ok:
        for error in result.errors:
            command.stderr.write(str(error))
        raise CommandError(result.summary())
    command.stdout.write(result.summary())
