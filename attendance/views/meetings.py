"""The front end for people: the meetings they may attend, one meeting, sign up and cancel.

Who may see or do what is decided by attendance.access; the writes are attendance.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import access, services
from attendance.models import Registration
from attendance.selectors import meetings as selectors
from lms.people import policy


def _meeting_or_404(request, pk: int):
    meeting = selectors.meeting_for_user(user=request.user, pk=pk)
    if meeting is None:
        raise Http404
    return meeting


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def meeting_list(request):
    meetings = list(selectors.meetings_upcoming_for(user=request.user))
    return TemplateResponse(
        request,
        "attendance/meeting_list.html",
        {"meetings": meetings, "person": policy.person_of(request.user)},
    )


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    person = policy.person_of(request.user)
    registration = None
    if getattr(meeting, "own_registration_id", None):
        registration = selectors.registration_for(meeting=meeting, person=person)
        if registration is not None:
            registration.meeting = meeting
    context = {
        "meeting": meeting,
        "person": person,
        "registration": registration,
        "waiting_position": (
            selectors.waiting_position(registration=registration) if registration else None
        ),
        "may_sign_up": registration is None and access.can_sign_up(request.user, meeting),
        "may_cancel": (
            registration is not None and access.may_cancel_registration(request.user, registration)
        ),
        "cancellation_deadline": access.cancellation_deadline(meeting),
        "started": timezone.now() >= meeting.starts_at,
        # Booking seats for named staff (attendance.views.bookings).
        "may_book": access.may_book_seats(request.user, meeting),
    }
    return TemplateResponse(request, "attendance/meeting_detail.html", context)


@require_POST
@login_required
def registration_create(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    person = policy.person_of(request.user)
    if person is None:
        messages.error(request, _("Your account is not linked to the staff roster."))
        return redirect("attendance:meeting_detail", pk=meeting.pk)
    already = getattr(meeting, "own_registration_id", None) is not None
    try:
        registration = services.registration_create(meeting=meeting, person=person, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("attendance:meeting_detail", pk=meeting.pk)
    if registration.status == Registration.Status.CONFIRMED:
        text = _("You are already signed up.") if already else _("You are signed up.")
        messages.success(request, text)
    else:
        position = selectors.waiting_position(registration=registration)
        messages.info(
            request,
            _("The meeting is full. You are on the waiting list as number %(position)d.")
            % {"position": position},
        )
    return redirect("attendance:meeting_detail", pk=meeting.pk)


@require_http_methods(["GET", "POST"])
@login_required
def registration_cancel(request, pk: int):
    """Cancel one's own registration. GET, or a POST without confirm=1 (the meeting page's
    button, "Min side"), shows the confirmation page; only its own POST cancels."""
    meeting = _meeting_or_404(request, pk)
    person = policy.person_of(request.user)
    registration = selectors.registration_for(meeting=meeting, person=person)
    if registration is None:
        messages.info(request, _("You are not signed up for this meeting."))
        return redirect("attendance:meeting_detail", pk=meeting.pk)
    registration.meeting, registration.person = meeting, person
    back = reverse("attendance:meeting_detail", args=(meeting.pk,))
    if not cancel_confirmed(request):
        return cancel_confirm_page(request, registration=registration, own=True, back_url=back)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your registration has been cancelled."))
        if not access.can_view_meeting(request.user, meeting):
            # Only the registration made it visible (its audience changed since).
            return redirect("attendance:meeting_list")
    return redirect(safe_next(request, back))


def cancel_confirmed(request) -> bool:
    """Only a POST from the confirmation page cancels: it carries confirm=1. A GET, or a plain
    POST from an older page or another form, gets the confirmation page instead."""
    return request.method == "POST" and request.POST.get("confirm") == "1"


def safe_next(request, default: str) -> str:
    """Where to go back to: `next` when it is a path on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def cancel_confirm_page(request, *, registration: Registration, own: bool, back_url: str):
    """ "Er du sikker?": the meeting and the person whose registration would be cancelled, a
    button that cancels (POST confirm=1) and a way back that does not."""
    meeting = registration.meeting
    context = {
        "meeting": meeting,
        "registration": registration,
        "person": registration.person,
        "own": own,
        "may_cancel": access.may_cancel_registration(request.user, registration),
        "cancellation_deadline": access.cancellation_deadline(meeting),
        "back_url": safe_next(request, back_url),
        "next": safe_next(request, ""),
    }
    return TemplateResponse(request, "attendance/registration_cancel_confirm.html", context)
