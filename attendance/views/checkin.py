"""The QR self check-in page (front end, works without JavaScript): the QR code the admin shows
(attendance.viewsets.attendance) links here with a signed token that limits check-in to the room and
the time.

Who is checked in is attendance.services' (attendance_check_in); the token is
attendance.lib.checkin's.
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from attendance import services
from attendance.forms.checkin import CheckInEmailForm
from attendance.lib import checkin
from attendance.models import Meeting
from lms.people import policy

TOKEN_MESSAGES = {
    "forged": gettext_lazy(
        "This check-in link is not valid. Scan the QR code shown at the meeting again."
    ),
    "expired": gettext_lazy(
        "This check-in link has expired. Scan the QR code shown at the meeting again."
    ),
    "not_yet_valid": gettext_lazy(
        "Check-in has not opened yet. It opens 30 minutes before the meeting starts."
    ),
    "closed": gettext_lazy("Check-in for this meeting has closed."),
}


# allauth's rate limits (settings.ACCOUNT_RATE_LIMITS): only failed email checks count, so a room
# of guests behind one wifi address is never stopped.
CHECK_IN_FAILED = "attendance_check_in_failed"


@require_http_methods(["GET", "POST"])
def check_in(request, pk: int, token: str):
    """A signed-in person on the roster is checked in on opening the link: scanning the code is
    the act of checking in, marking twice changes nothing, and the token limits it to the room
    and the time. Anyone else gives the email address of their registration and its booking
    code."""
    meeting = Meeting.objects.filter(pk=pk).first()
    context = {"meeting": meeting, "token": token}
    if meeting is None:
        context["error"] = TOKEN_MESSAGES["forged"]
        return TemplateResponse(request, "attendance/attendance_check_in.html", context, status=400)
    try:
        checkin.token_check(token=token, meeting=meeting)
    except checkin.TokenError as error:
        context["error"] = TOKEN_MESSAGES[error.code]
        return TemplateResponse(request, "attendance/attendance_check_in.html", context, status=400)

    person = policy.person_of(request.user)
    form = None
    try:
        if person is not None:
            attendance = services.attendance_check_in(
                meeting=meeting, token=token, user=request.user
            )
            context["attendance"] = attendance
        else:
            form = CheckInEmailForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                if not ratelimit.consume(request, action=CHECK_IN_FAILED, dry_run=True):
                    context["error"] = _("Too many attempts. Wait a few minutes and try again.")
                    context["form"] = form
                    return TemplateResponse(
                        request, "attendance/attendance_check_in.html", context, status=429
                    )
                try:
                    attendance = services.attendance_check_in(
                        meeting=meeting,
                        token=token,
                        email=form.cleaned_data["email"],
                        code=form.cleaned_data["code"],
                    )
                except ValidationError:
                    ratelimit.consume(request, action=CHECK_IN_FAILED)
                    raise
                context["attendance"] = attendance
                form = None
            elif request.method == "POST":
                context["form"] = form
                return TemplateResponse(
                    request, "attendance/attendance_check_in.html", context, status=400
                )
    except checkin.TokenError as error:
        context["error"] = TOKEN_MESSAGES[error.code]
        return TemplateResponse(request, "attendance/attendance_check_in.html", context, status=400)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        context["form"] = form
        return TemplateResponse(request, "attendance/attendance_check_in.html", context, status=400)
    context["form"] = form
    return TemplateResponse(request, "attendance/attendance_check_in.html", context)
