"""How the admin shows and exports a value: times in the installation's zone (Europe/Copenhagen),
empty values as a dash.

The database holds times in UTC. Django's templates convert a datetime to local time when they
print it (`{{ value }}`, `|date`), but a value that passes a plain filter (`|localize`, as
Wagtail's inspect view does), Python formatting or a spreadsheet writer is printed as it is: in
UTC, one hour early in winter and two in summer. Every such place goes through these helpers.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

EMPTY = "–"


def local(value: dt.datetime) -> dt.datetime:
    """An aware datetime in the installation's zone (settings.TIME_ZONE); naive ones as they are."""
    if timezone.is_naive(value):
        return value
    return timezone.localtime(value, timezone.get_default_timezone())


def display_value(value: object) -> object:
    """A field's value as the admin shows it: local time, a dash for nothing, yes or no."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return local(value)
    return value


def export_csv_datetime(value: dt.datetime) -> str:
    """A time in a CSV file: local, to the minute, in the form spreadsheets read as a time."""
    return local(value).strftime("%Y-%m-%d %H:%M")


def export_xlsx_datetime(value: dt.datetime) -> dt.datetime:
    """A time in an XLSX cell: Excel has no zones, so the local wall-clock time, naive."""
    return local(value).replace(tzinfo=None)


def export_bool(value: bool) -> str:
    """A yes/no value in a CSV or XLSX file: the words the admin shows, not True/False."""
    return _("Yes") if value else _("No")
