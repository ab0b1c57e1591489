"""Sensible ranges for the dates and numbers people enter: one place for every model.

A meeting that starts in year 1, ends in year 9999 or may be cancelled until 10^9 hours before it
starts is accepted by the database but breaks every page that computes with it (datetime
arithmetic overflows). Services check these ranges and refuse with a ValidationError (code
"out_of_range"); model fields carry them as validators, so Wagtail's and our own forms show the
same message, and form_limits() puts them on the inputs as min/max.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _

# Every date a person enters: meetings, requests, reviews, hand-outs, achievements, leaving.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
# The same as instants (midnight at either end, in UTC: the database compares in UTC).
DATETIME_MIN = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
DATETIME_MAX = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)

OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class Bound:
    """An inclusive range of whole numbers."""

    minimum: int
    maximum: int

    def contains(self, value) -> bool:
        return isinstance(value, int) and self.minimum <= value <= self.maximum

    def validators(self) -> list:
        # Django's own (translated) messages: a lazy message of ours would be frozen into the
        # migrations in whatever language makemigrations ran.
        return [MinValueValidator(self.minimum), MaxValueValidator(self.maximum)]


# Seats at a meeting, and the participants a request expects.
CAPACITY = Bound(1, 10_000)
PARTICIPANTS = Bound(1, 10_000)
# A registration may be cancelled until this many hours before the start: at most 90 days.
CUTOFF_HOURS = Bound(0, 90 * 24)
# The reminder of a meeting goes out this many days before it.
REMINDER_DAYS = Bound(0, 60)
# Copies of an Action Card handed out at once.
QUANTITY = Bound(1, 100_000)
# Percentages (a course's pass mark).
PERCENT = Bound(0, 100)
# How long a competence stays valid: at most 50 years.
VALIDITY_MONTHS = Bound(1, 600)
# Attempts at a course's quiz, and its estimated duration.
ATTEMPTS = Bound(1, 100)
MINUTES = Bound(1, 240)
# A meeting lasts at most this long (a course over several days is several meetings).
MEETING_MAX_DURATION = dt.timedelta(days=7)


def number_message(bound: Bound) -> str:
    return _("Enter a whole number from %(minimum)s to %(maximum)s.") % {
        "minimum": bound.minimum,
        "maximum": bound.maximum,
    }


def date_message() -> str:
    return _("Enter a date from %(minimum)s to %(maximum)s.") % {
        "minimum": DATE_MIN.strftime("%d.%m.%Y"),
        "maximum": DATE_MAX.strftime("%d.%m.%Y"),
    }


def number_error(value, bound: Bound, *, required: bool = True) -> ValidationError | None:
    """The error for `value` outside `bound` (or missing when required); None when it fits."""
    if value is None and not required:
        return None
    if isinstance(value, bool) or not bound.contains(value):
        return ValidationError(number_message(bound), code=OUT_OF_RANGE)
    return None


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            # Far-off instants must not overflow while being converted.
            if value.year <= 1 or value.year >= 9999:
                return value.date()
            value = timezone.localtime(value)
        return value.date()
    return value


def date_error(value, *, required: bool = True) -> ValidationError | None:
    """The error for a date or datetime outside DATE_MIN..DATE_MAX; None when it fits."""
    if value is None:
        if not required:
            return None
        return ValidationError(date_message(), code=OUT_OF_RANGE)
    if not DATE_MIN <= _as_date(value) <= DATE_MAX:
        return ValidationError(date_message(), code=OUT_OF_RANGE)
    return None


def check(errors: dict, field: str, error: ValidationError | None) -> None:
    """Add `error` (from number_error or date_error) to a services' `errors` dict by field."""
    if error is None:
        return
    current = errors.get(field)
    if current is None:
        errors[field] = [error]
    elif isinstance(current, list):
        current.append(error)
    else:
        errors[field] = [current, error]


def date_validators() -> list:
    return [MinValueValidator(DATE_MIN), MaxValueValidator(DATE_MAX)]


def datetime_validators() -> list:
    return [MinValueValidator(DATETIME_MIN), MaxValueValidator(DATETIME_MAX)]


def _limits(validators) -> tuple:
    minimum = maximum = None
    for validator in validators or []:
        if isinstance(validator, MinValueValidator):
            minimum = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            maximum = validator.limit_value
    return minimum, maximum


def form_limits(form) -> None:
    """Put the bounds of the model fields' validators (else the form fields' own) on the form's
    number and date inputs as min/max, so the browser refuses out-of-range values early."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    for name, field in form.fields.items():
        model_limits: tuple = (None, None)
        if model is not None:
            try:
                model_limits = _limits(model._meta.get_field(name).validators)
            except Exception:  # not a model field (an extra form field)
                pass
        field_limits = _limits(field.validators)
        for key, model_limit, field_limit in zip(
            ("min", "max"), model_limits, field_limits, strict=True
        ):
            limit = model_limit if model_limit is not None else field_limit
            if limit is None or isinstance(limit, dt.datetime):
                continue  # datetime inputs differ by widget: the service decides.
            if isinstance(limit, dt.date):
                limit = limit.isoformat()
            field.widget.attrs[key] = limit


def _instant_clamp(value: dt.datetime | None) -> dt.datetime | None:
    # Compared by calendar day: an aware year-1 midnight cannot even be converted to UTC.
    if value is None:
        return None
    if value.date() < DATE_MIN:
        return DATETIME_MIN
    if value.date() > DATE_MAX:
        return DATETIME_MAX
    return value


class DateFromToRangeFilter(django_filters.DateFromToRangeFilter):
    """django-filter's date range of a listing, held to the dates anything can have: a filter
    from year 1 (or to year 9999) made its midnight overflow on the way to the database, a
    server error; it now means "from the beginning" (or "to the end")."""

    def filter(self, qs, value):
        if value:
            value = slice(_instant_clamp(value.start), _instant_clamp(value.stop))
        return super().filter(qs, value)
