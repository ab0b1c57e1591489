"""Attendance: the admin sheet, walk-ins, the check-in QR code, the CSV import (Wagtail admin),
and the QR self check-in page (front end, works without JavaScript).

Access goes through attendance.access (may_take_attendance: a facilitator of the meeting or its
manager); the writes are attendance.services.
"""

from __future__ import annotations

import segno
from allauth.core import ratelimit
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages

from attendance import access, services
from attendance.lib import checkin
from attendance.models import Attendance, Meeting, Registration
from attendance.services.attendance import attendance_import
from lms import importflow
from lms.importflow import ImportUploadForm, import_file_field
from lms.parsing import parse_id
from lms.people import policy
from lms.people.models import OrgUnit, Person

R = Registration.Status
MARKS = Attendance.Mark

# --- Reads for the sheet ------------------------------------------------------------------------


def sheet_rows(meeting: Meeting) -> list[dict]:
    """One row per person on the sheet: live registrations (confirmed first, then the waiting
    list, each in sign-up order), then walk-ins. Three queries however many rows there are."""
    attendances = {
        a.person_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related(
            "person", "person__org_unit"
        )
    }
    registrations = (
        Registration.objects.filter(meeting=meeting, status__in=Registration.LIVE)
        .select_related("person", "person__org_unit")
        .order_by("status", "created_at", "pk")  # "confirmed" < "waiting": confirmed first
    )
    rows = []
    seen = set()
    for registration in registrations:
        seen.add(registration.person_id)
        rows.append(
            {
                "person": registration.person,
                "registration": registration,
                "attendance": attendances.get(registration.person_id),
            }
        )
    for person_id, attendance in sorted(attendances.items(), key=lambda i: i[1].person.name):
        if person_id not in seen:
            rows.append(
                {"person": attendance.person, "registration": None, "attendance": attendance}
            )
    return rows


# --- Admin --------------------------------------------------------------------------------------


def _meeting_for_attendance(request, pk: int) -> Meeting:
    meeting = get_object_or_404(
        Meeting.objects.select_related("org_unit", "institution", "competence"), pk=pk
    )
    if not access.may_take_attendance(request.user, meeting):
        raise PermissionDenied
    return meeting


class NewWalkInForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"))
    org_unit = forms.ModelChoiceField(
        label=gettext_lazy("Institution or partner"), queryset=OrgUnit.objects.none()
    )

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = access.walk_in_units(user, meeting).order_by("path")
        if meeting.institution_id:
            self.fields["org_unit"].initial = meeting.institution_id


class ImportForm(ImportUploadForm):
    file = import_file_field(
        help_text=gettext_lazy(
            "CSV or Excel with the columns email (or employee_number) and mark "
            "(present, late, excused or absent)."
        )
    )


def _admin_context(meeting: Meeting, title: str) -> dict:
    return {
        "meeting": meeting,
        "page_title": title,
        "page_subtitle": str(meeting),
        "header_icon": "list-ul",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("meetings:index"), "label": _("Meetings")},
            {"url": reverse("meetings:inspect", args=(meeting.pk,)), "label": str(meeting)},
            {"url": "", "label": title},
        ],
    }


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_http_methods(["GET", "POST"])
def sheet(request, pk: int):
    meeting = _meeting_for_attendance(request, pk)
    rows = sheet_rows(meeting)
    if request.method == "POST":
        marks: dict[Person, str] = {}
        for row in rows:
            value = request.POST.get(f"mark-{row['person'].pk}", "")
            current = row["attendance"].mark if row["attendance"] else ""
            if value and value != current:
                marks[row["person"]] = value
        try:
            services.attendance_mark_many(
                meeting=meeting, marks=marks, method=Attendance.Method.ROSTER, by=request.user
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("The attendance has been saved."))
            return redirect("attendance_admin:sheet", pk=meeting.pk)
    query = request.GET.get("q", "").strip()
    found = []
    if query:
        on_sheet = [row["person"].pk for row in rows]
        found = list(
            access.attendance_candidates(request.user, meeting)
            .filter(Q(name__icontains=query) | Q(email__icontains=query))
            .exclude(pk__in=on_sheet)
            .select_related("org_unit")
            .order_by("name")[:20]
        )
    context = _admin_context(meeting, _("Attendance sheet"))
    context.update(
        {
            "rows": rows,
            "marks": MARKS.choices,
            "query": query,
            "found": found,
            "new_form": NewWalkInForm(user=request.user, meeting=meeting),
            "open_error": services.attendance_open_error(meeting, timezone.now()),
        }
    )
    return TemplateResponse(request, "attendance/admin/attendance_sheet.html", context)


@require_http_methods(["POST"])
def walk_in(request, pk: int):
    meeting = _meeting_for_attendance(request, pk)
    try:
        if request.POST.get("person"):
            person = get_object_or_404(
                access.attendance_candidates(request.user, meeting),
                pk=parse_id(request.POST["person"]),
            )
            services.attendance_add_walk_in(meeting=meeting, person=person, by=request.user)
        else:
            form = NewWalkInForm(request.POST, user=request.user, meeting=meeting)
            if not form.is_valid():
                context = _admin_context(meeting, _("Add walk-in"))
                context["new_form"] = form
                return TemplateResponse(
                    request, "attendance/admin/attendance_walk_in.html", context, status=400
                )
            services.attendance_add_walk_in(
                meeting=meeting,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                org_unit=form.cleaned_data["org_unit"],
                by=request.user,
            )
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("The walk-in has been added as present."))
    return redirect("attendance_admin:sheet", pk=meeting.pk)


def qr(request, pk: int):
    meeting = _meeting_for_attendance(request, pk)
    token = checkin.token_make(meeting=meeting)
    url = request.build_absolute_uri(
        reverse("attendance:check_in", kwargs={"pk": meeting.pk, "token": token})
    )
    svg = segno.make(url, error="m").svg_inline(
        scale=8, title=_("QR code for checking in"), omitsize=True
    )
    context = _admin_context(meeting, _("Check-in QR code"))
    context.update(
        {
            "svg": svg,
            "url": url,
            "window": checkin.checkin_window(meeting),
            "open": checkin.checkin_open(meeting),
            "refresh_seconds": 60,
        }
    )
    return TemplateResponse(request, "attendance/admin/attendance_qr.html", context)


class ImportView(importflow.ImportView):
    """The import of one meeting's attendance: applied at once, there is no dry run."""

    form_class = ImportForm
    page_title = gettext_lazy("Import attendance")
    submit_label = gettext_lazy("Import")
    preview = False
    invalid_status = 400

    def may_import(self) -> bool:
        self.meeting = _meeting_for_attendance(self.request, self.kwargs["pk"])
        return True

    def run(self, *, source, filename, dry_run):
        return attendance_import(
            meeting=self.meeting, source=source, filename=filename, by=self.request.user
        )

    def success_message(self, result, filename):
        return result.summary()

    def get_success_url(self):
        return reverse("attendance_admin:sheet", args=(self.meeting.pk,))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_admin_context(self.meeting, str(self.page_title)))
        return context


admin_urlpatterns = [
    path("<int:pk>/", sheet, name="sheet"),
    path("<int:pk>/walk-in/", walk_in, name="walk_in"),
    path("<int:pk>/qr/", qr, name="qr"),
    path("<int:pk>/import/", ImportView.as_view(), name="import"),
]


# --- Front end: QR self check-in ----------------------------------------------------------------

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


class CheckInEmailForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("The email address you signed up with"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Your booking code"),
        help_text=gettext_lazy(
            "Six letters and digits, in your confirmation email and calendar invitation."
        ),
        max_length=20,
        error_messages={
            "required": gettext_lazy("Type the booking code from your confirmation email.")
        },
    )


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
        context["error"] = _errors(error)
        context["form"] = form
        return TemplateResponse(request, "attendance/attendance_check_in.html", context, status=400)
    context["form"] = form
    return TemplateResponse(request, "attendance/attendance_check_in.html", context)
