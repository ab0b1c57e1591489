"""The front end for people: the meetings they may attend, one meeting, sign up and cancel.

Who may see or do what is decided by lms.people.policy; the writes are attendance.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.people import policy

from . import selectors, services
from .models import Registration


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
        "may_sign_up": registration is None and policy.can_sign_up(request.user, meeting),
        "may_cancel": (
            registration is not None and policy.may_cancel_registration(request.user, registration)
        ),
        "cancellation_deadline": policy.cancellation_deadline(meeting),
        "started": timezone.now() >= meeting.starts_at,
        # Booking seats for named staff (attendance.booking_views).
        "may_book": policy.may_book_seats(request.user, meeting),
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


@require_POST
@login_required
def registration_cancel(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    registration = selectors.registration_for(
        meeting=meeting, person=policy.person_of(request.user)
    )
    if registration is None:
        messages.info(request, _("You are not signed up for this meeting."))
        return redirect("attendance:meeting_detail", pk=meeting.pk)
    try:
        services.registration_cancel(registration=registration, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Your registration has been cancelled."))
        if not policy.can_view_meeting(request.user, meeting):
            # Only the registration made it visible (its audience changed since).
            return redirect("attendance:meeting_list")
    return redirect("attendance:meeting_detail", pk=meeting.pk)
