"""Booking seats for named staff: an institution coordinator (or a coordinator) books seats at a
meeting for colleagues of their area, people already in the roster or new ones created under
their institution.

Every seat goes through registration_create, so the meeting's lock, the waiting list, the audit
log (the registration's created_by is the booker) and the emails (confirmation with iCalendar,
waiting list) are those of a person signing up themselves. Access is checked for every person
before anything is written, and a booking is one transaction: all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import access
from attendance.models import Meeting, Registration
from attendance.services.meetings import _deny, _lock, _sign_up_error, registration_create
from lms import audit
from lms.people import policy
from lms.people import services as people_services
from lms.people.models import JobCategory, OrgUnit, Person, User

__all__ = [
    "SeatBooking",
    "BookingResult",
    "seats_book",
    "person_create_and_book",
]

R = Registration.Status


@dataclass(frozen=True)
class SeatBooking:
    """One person's seat after a booking. `already_registered`: they held a live registration
    before (signed up themselves or booked earlier), which the booking left unchanged."""

    person: Person
    registration: Registration
    already_registered: bool

    @property
    def confirmed(self) -> bool:
        return not self.already_registered and self.registration.status == R.CONFIRMED

    @property
    def waiting(self) -> bool:
        return not self.already_registered and self.registration.status == R.WAITING


@dataclass(frozen=True)
class BookingResult:
    bookings: tuple[SeatBooking, ...]

    @property
    def confirmed(self) -> list[SeatBooking]:
        return [b for b in self.bookings if b.confirmed]

    @property
    def waiting(self) -> list[SeatBooking]:
        return [b for b in self.bookings if b.waiting]

    @property
    def already_registered(self) -> list[SeatBooking]:
        return [b for b in self.bookings if b.already_registered]


def _names(people: Sequence[Person]) -> str:
    return ", ".join(p.name for p in people)


def _require_booker(meeting: Meeting, *, by: User) -> None:
    if access.may_book_seats(by, meeting):
        return
    # A meeting closed for sign-up gets the reason a person signing up would get.
    error = _sign_up_error(meeting, timezone.now())
    if error is not None:
        raise error
    _deny()


def _check_people(meeting: Meeting, people: list[Person], *, by: User) -> None:
    """Every person must be bookable by `by`; otherwise a clear error naming those who are not,
    before anything is written."""
    ids = [p.pk for p in people]
    bookable = set(
        access.bookable_people(by, meeting).filter(pk__in=ids).values_list("pk", flat=True)
    )
    refused = [p for p in people if p.pk not in bookable]
    if not refused:
        return
    left_ids = set(
        Person.objects.filter(pk__in=[p.pk for p in refused], active=False).values_list(
            "pk", flat=True
        )
    )
    errors = []
    left = [p for p in refused if p.pk in left_ids]
    others = [p for p in refused if p.pk not in left_ids]
    if left:
        errors.append(
            ValidationError(
                _("No longer active, so they cannot be booked: %(names)s.")
                % {"names": _names(left)},
                code="inactive",
            )
        )
    if others:
        errors.append(
            ValidationError(
                _(
                    "Not among the colleagues you may book for this meeting (your own staff in "
                    "its audience): %(names)s."
                )
                % {"names": _names(others)},
                code="not_bookable",
            )
        )
    raise ValidationError({"people": errors})


@transaction.atomic
def seats_book(*, meeting: Meeting, people: Sequence[Person], by: User | None) -> BookingResult:
    """Book a seat for each of `people`: confirmed while seats are free, then the waiting list, in
    the order given. Someone already holding a live registration keeps it unchanged.

    With a booker (`by`), each person must be one they may book (access.bookable_people); one
    who is not refuses the whole booking, with nothing written. `by=None` is the system.
    """
    unique = list({p.pk: p for p in people}.values())
    if not unique:
        raise ValidationError(
            {"people": _("Choose at least one person to book.")}, code="no_people"
        )
    # Cheap checks unlocked, as registration_create does: they decide nothing about seats.
    if by is not None:
        _require_booker(meeting, by=by)
        _check_people(meeting, unique, by=by)
    # Lock once for the whole booking, so that "already registered" is read under the same lock
    # that the seats are given under (registration_create's own lock is then already held).
    locked = _lock(meeting)
    error = _sign_up_error(locked, timezone.now())
    if error is not None:
        raise error
    already = set(
        Registration.objects.filter(
            meeting=locked, person_id__in=[p.pk for p in unique], status__in=Registration.LIVE
        ).values_list("person_id", flat=True)
    )
    bookings = []
    for person in unique:
        registration = registration_create(meeting=locked, person=person, by=by)
        bookings.append(
            SeatBooking(
                person=person, registration=registration, already_registered=person.pk in already
            )
        )
    result = BookingResult(bookings=tuple(bookings))
    if len(already) < len(unique):
        audit.log(
            locked,
            "lms.booking.create",
            by=by,
            data={
                "person_ids": [b.person.pk for b in bookings if not b.already_registered],
                "confirmed": len(result.confirmed),
                "waiting": len(result.waiting),
                "already_registered": len(already),
            },
        )
    return result


def _new_colleague_errors(
    *, name: str, email: str, job_category: JobCategory | None, meeting: Meeting
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the colleague's name.")]
    if not email:
        errors["email"] = [_("Give the colleague's email address.")]
    else:
        try:
            validate_email(email)
        except ValidationError as error:
            errors["email"] = error.messages
    if job_category is None:
        errors["job_category"] = [_("Choose the colleague's job category.")]
    elif (
        meeting.job_categories.exists()
        and not meeting.job_categories.filter(pk=job_category.pk).exists()
    ):
        errors["job_category"] = [
            _("This meeting is for other job categories: %(categories)s.")
            % {"categories": ", ".join(c.name for c in meeting.job_categories.all())}
        ]
    return errors


@transaction.atomic
def person_create_and_book(
    *,
    meeting: Meeting,
    name: str,
    email: str,
    job_category: JobCategory | None,
    org_unit: OrgUnit | None = None,
    by: User | None,
) -> BookingResult:
    """Add a new colleague to the roster (lms.people.services.person_create) and book them a
    seat, in one transaction: if the seat cannot be booked, the person is not created either.

    `org_unit` is where they work: one of access.new_colleague_units for the booker, who may leave
    it out when there is only one (their institution). The system (`by=None`) must give it.
    """
    name, email = (name or "").strip(), (email or "").strip()
    if by is not None:
        _require_booker(meeting, by=by)
    errors = _new_colleague_errors(
        name=name, email=email, job_category=job_category, meeting=meeting
    )
    if by is not None:
        allowed = access.new_colleague_units(by, meeting)
        if org_unit is None:
            units = list(allowed[:2])
            if len(units) == 1:
                org_unit = units[0]
        elif not allowed.filter(pk=org_unit.pk).exists():
            errors["org_unit"] = [_("Choose a unit of your own whose staff this meeting is for.")]
    if org_unit is None and "org_unit" not in errors:
        errors["org_unit"] = [_("Choose where the colleague works.")]
    if "email" not in errors:
        existing = Person.objects.filter(email__iexact=email).select_related("org_unit").first()
        if (
            existing is not None
            and by is not None
            and policy.can(by, access.Action.MEETING_BOOK, existing)
        ):
            errors["email"] = [
                _(
                    "%(name)s already has this email address in the roster: book them from your "
                    "list of colleagues instead."
                )
                % {"name": existing.name}
            ]
        elif existing is not None:
            errors["email"] = [_("A person with this email address already exists.")]
    if errors:
        raise ValidationError(errors, code="invalid")
    person = people_services.person_create(
        name=name, email=email, org_unit=org_unit, job_category=job_category, by=by
    )
    return seats_book(meeting=meeting, people=[person], by=by)
