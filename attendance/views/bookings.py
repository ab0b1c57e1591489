"""The booking page: an institution coordinator (or a coordinator) books seats at a meeting for
named colleagues, adds a new colleague to the roster and books them, and cancels their seats.

Who may book whom is lms.people.policy's (the booking section); the writes are
attendance.services (bookings, registration_cancel). The page shows the staff roster, so a
booker with a staff role sets up two-factor authentication first, as for the admin.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from attendance import access, services
from attendance.forms.bookings import BookForm, NewColleagueForm
from attendance.models import Meeting, Registration
from attendance.selectors import bookings as booking_selectors
from attendance.selectors import meetings as selectors
from attendance.views.meetings import cancel_confirm_page, cancel_confirmed
from lms.forms import errors_to_form
from lms.people import policy
from lms.people.middleware import NEXT_SESSION_KEY, staff_mfa_missing
from lms.people.models import OrgUnit, Person

R = Registration.Status


@dataclass
class UnitGroup:
    """The booker's colleagues of one unit, as the page shows them: one table each."""

    unit: OrgUnit
    people: list[Person] = field(default_factory=list)
    # Every bookable colleague of the unit is chosen: its button clears the choices instead.
    all_chosen: bool = False

    @property
    def bookable_ids(self) -> set[str]:
        return {str(p.pk) for p in self.people if p.bookable and not p.registration_id}


def _groups(staff: list[Person], chosen: set[str]) -> list[UnitGroup]:
    groups = [
        UnitGroup(unit=unit, people=list(people))
        for unit, people in groupby(staff, key=attrgetter("org_unit"))
    ]
    for group in groups:
        ids = group.bookable_ids
        group.all_chosen = bool(ids) and ids <= chosen
    return groups


def _mfa_redirect(request):
    """Staff see the roster only with a second factor, as in the admin; back here afterwards."""
    if not staff_mfa_missing(request.user):
        return None
    if request.method == "GET":
        request.session[NEXT_SESSION_KEY] = request.get_full_path()
    messages.warning(
        request,
        _(
            "Booking seats for your staff shows the staff roster. Set up two-factor "
            "authentication before you continue."
        ),
    )
    return redirect("mfa_activate_totp")


def _guard(request, pk: int):
    """(meeting, None) when the user may use the booking page, else (None, a response): 404 for
    a meeting they do not see, 403 when they may not book seats at it, back to the meeting with a
    message when it is no longer open for sign-up, and to TOTP setup when that is missing."""
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    if meeting is None:
        raise Http404
    if not access.may_book_seats(request.user, meeting):
        if access.meeting_open_for_sign_up(meeting) or not policy.can(
            request.user, access.Action.MEETING_BOOK
        ):
            raise PermissionDenied
        messages.error(request, _("Sign-up is not open for this meeting."))
        return None, redirect("attendance:meeting_detail", pk=meeting.pk)
    mfa = _mfa_redirect(request)
    if mfa is not None:
        return None, mfa
    return meeting, None


def _booking_message(result: services.BookingResult) -> str:
    parts = []
    if result.confirmed:
        count = len(result.confirmed)
        parts.append(
            ngettext(
                "%(count)d colleague has got a seat.",
                "%(count)d colleagues have got a seat.",
                count,
            )
            % {"count": count}
        )
    if result.waiting:
        count = len(result.waiting)
        parts.append(
            ngettext(
                "%(count)d colleague is on the waiting list: the meeting is full.",
                "%(count)d colleagues are on the waiting list: the meeting is full.",
                count,
            )
            % {"count": count}
        )
    if result.already_registered:
        count = len(result.already_registered)
        parts.append(
            ngettext(
                "%(count)d colleague was already signed up.",
                "%(count)d colleagues were already signed up.",
                count,
            )
            % {"count": count}
        )
    if result.confirmed or result.waiting:
        parts.append(_("Each of them gets an email about it."))
    return " ".join(parts)


def _query(request) -> str:
    return request.GET.get("q", "").strip()[:200]


def _render(request, meeting: Meeting, *, book_form=None, new_form=None, chosen=None, status=200):
    user = request.user
    query = _query(request)
    units = list(access.new_colleague_units(user, meeting).order_by("path"))
    staff = booking_selectors.booking_staff(user=user, meeting=meeting, query=query)
    if book_form is None:
        book_form = BookForm(user=user)
    if new_form is None:
        new_form = NewColleagueForm(
            job_categories=booking_selectors.new_colleague_job_categories(meeting=meeting),
            units=units,
        )
    if chosen is None:
        chosen = {str(pk) for pk in book_form["people"].value() or ()}
    deadline = access.cancellation_deadline(meeting)
    context = {
        "meeting": meeting,
        "staff": staff,
        "groups": _groups(staff, chosen),
        "query": query,
        "query_string": urlencode({"q": query}) if query else "",
        "bookable_count": sum(1 for row in staff if row.bookable and not row.registration_id),
        "book_form": book_form,
        "chosen": chosen,
        "new_form": new_form,
        "may_add_colleague": bool(units),
        # Every row is in the booker's scope: may_cancel_registration has one answer for all.
        "may_cancel": access.can_manage_meeting(user, meeting) or timezone.now() < deadline,
        "cancellation_deadline": deadline,
    }
    return TemplateResponse(request, "attendance/booking.html", context, status=status)


def _back(meeting: Meeting, query: str = ""):
    url = reverse("attendance:booking", args=(meeting.pk,))
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


def _unit_choice(request, meeting: Meeting):
    """The "choose everyone in the unit" buttons without JavaScript: the page again, with the
    colleagues chosen so far plus (or minus) everyone bookable of that unit. None when the POST
    is a booking."""
    for name, add in (("select_unit", True), ("unselect_unit", False)):
        value = request.POST.get(name)
        if value is None:
            continue
        chosen = {v for v in request.POST.getlist("people") if v.isascii() and v.isdigit()}
        staff = booking_selectors.booking_staff(
            user=request.user, meeting=meeting, query=_query(request)
        )
        unit_ids = {
            str(p.pk)
            for p in staff
            if str(p.org_unit_id) == value and p.bookable and not p.registration_id
        }
        chosen = chosen | unit_ids if add else chosen - unit_ids
        return _render(request, meeting, chosen=chosen)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def booking(request, pk: int):
    """The page; POST books the chosen colleagues."""
    meeting, response = _guard(request, pk)
    if response is not None:
        return response
    if request.method == "GET":
        return _render(request, meeting)
    response = _unit_choice(request, meeting)
    if response is not None:
        return response
    form = BookForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            result = services.seats_book(
                meeting=meeting, people=list(form.cleaned_data["people"]), by=request.user
            )
        except ValidationError as error:
            errors_to_form(form, error, default_field="people")
        else:
            level = messages.SUCCESS if not result.waiting else messages.WARNING
            messages.add_message(request, level, _booking_message(result))
            return _back(meeting, _query(request))
    return _render(request, meeting, book_form=form, status=400)


@login_required
@require_POST
def colleague_create(request, pk: int):
    """Add a new colleague to the roster and book them."""
    meeting, response = _guard(request, pk)
    if response is not None:
        return response
    units = list(access.new_colleague_units(request.user, meeting).order_by("path"))
    if not units:
        raise PermissionDenied
    form = NewColleagueForm(
        request.POST,
        job_categories=booking_selectors.new_colleague_job_categories(meeting=meeting),
        units=units,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.person_create_and_book(
                meeting=meeting,
                name=data["name"],
                email=data["email"],
                job_category=data["job_category"],
                org_unit=data.get("org_unit") or form.only_unit,
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            booking = result.bookings[0]
            if booking.registration.status == R.CONFIRMED:
                text = _("%(name)s has been added to your staff and has got a seat.")
            else:
                text = _(
                    "%(name)s has been added to your staff and is on the waiting list: the "
                    "meeting is full."
                )
            messages.success(request, text % {"name": booking.person.name})
            return _back(meeting)
    return _render(request, meeting, new_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def seat_cancel(request, pk: int, registration_pk: int):
    """Cancel a colleague's registration (until the cut-off; a manager of the meeting any time).
    GET, or a POST without confirm=1, shows the confirmation page first: nothing is cancelled
    until the booker has said yes there."""
    meeting, response = _guard(request, pk)
    if response is not None:
        return response
    registration = (
        Registration.objects.filter(pk=registration_pk, meeting=meeting)
        .select_related("person__org_unit", "person__job_category")
        .first()
    )
    if registration is None or not access.is_booker_for(request.user, registration):
        raise Http404
    registration.meeting = meeting
    if not cancel_confirmed(request):
        return cancel_confirm_page(
            request,
            registration=registration,
            own=False,
            back_url=reverse("attendance:booking", args=(meeting.pk,)),
        )
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The registration of %(name)s has been cancelled.")
            % {"name": registration.person.name},
        )
    return _back(meeting)
