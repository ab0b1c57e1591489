"""Attendance in the Wagtail admin: the sheet, walk-ins, the check-in QR code (which leads to
attendance.views.checkin) and the CSV import.

Access goes through lms.people.policy (may_take_attendance: a facilitator of the meeting or its
manager); the writes are attendance.services.
"""

from __future__ import annotations

import segno
from django.core.exceptions import ValidationError
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
from attendance.forms.attendance import ImportForm, NewWalkInForm
from attendance.lib import checkin
from attendance.models import Attendance, Meeting
from attendance.selectors import attendance as attendance_selectors
from lms import importflow
from lms.parsing import parse_id
from lms.people.models import Person
from lms.people.views.guards import guarded

MARKS = Attendance.Mark


def _meeting(request, pk: int) -> Meeting:
    return get_object_or_404(
        Meeting.objects.select_related("org_unit", "institution", "competence"), pk=pk
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
@guarded(_meeting, access.may_take_attendance)
def sheet(request, meeting: Meeting):
    rows = attendance_selectors.sheet_rows(meeting)
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
@guarded(_meeting, access.may_take_attendance)
def walk_in(request, meeting: Meeting):
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


@guarded(_meeting, access.may_take_attendance)
def qr(request, meeting: Meeting):
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
        self.meeting = _meeting(self.request, self.kwargs["pk"])
        return access.may_take_attendance(self.request.user, self.meeting)

    def run(self, *, source, filename, dry_run):
        return services.attendance_import(
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
