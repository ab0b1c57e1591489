"""The half-year report in the admin: its download (for whoever may view the coverage of the
report's unit: the steering group of that municipality, its coordinators; 404 for anyone else)
and the page where a coordinator enters the steering group's meeting dates, before each of which
the report is built and offered (reports.services.halfyear)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from lms import bounds
from lms.forms import OrgUnitChoiceField, errors_to_form
from lms.people import policy
from lms.people.models import OrgUnit
from lms.people.views.guards import policy_required
from reports import access
from reports.models import HalfYearReport, SteeringMeeting
from reports.services.halfyear import steering_meeting_delete, steering_meeting_save


def download(request, pk: int):
    report = get_object_or_404(HalfYearReport.objects.select_related("org_unit"), pk=pk)
    if not access.may_view(request.user, report.org_unit):
        raise Http404
    name = (
        f"halvaarsrapport-{report.period_start:%Y}-{1 if report.period_start.month == 1 else 2}.pdf"
    )
    return FileResponse(
        report.file.open("rb"), as_attachment=True, filename=name, content_type="application/pdf"
    )


class SteeringMeetingForm(forms.Form):
    org_unit = OrgUnitChoiceField(queryset=None, label=gettext_lazy("Infohus unit"))
    meets_on = forms.DateField(
        label=gettext_lazy("Meeting date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        bounds.form_limits(self)


def _units(user):
    """The tops of the user's scope for managing the meeting dates."""
    if policy.is_superuser(user):
        return OrgUnit.get_root_nodes()
    paths = policy.scope_paths(user, access.STEERING_MEETINGS_MANAGE)
    return OrgUnit.objects.filter(path__in=paths).order_by("path")


@policy_required(access.STEERING_MEETINGS_MANAGE)
def meetings(request):
    units = _units(request.user)
    form = SteeringMeetingForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            steering_meeting_save(
                org_unit=form.cleaned_data["org_unit"],
                meets_on=form.cleaned_data["meets_on"],
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The meeting date has been added."))
            return redirect("reports_halfyear:meetings")
    rows = SteeringMeeting.objects.filter(
        policy.scope_q(request.user, access.STEERING_MEETINGS_MANAGE)
    ).select_related("org_unit", "report")
    title = _("Steering group meetings")
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "date",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": reverse("reports_coverage:index"), "label": _("Overview")},
            {"url": "", "label": title},
        ],
        "form": form,
        "meetings": rows,
        "days_before": settings.REPORTS_HALFYEAR_DAYS_BEFORE,
    }
    return TemplateResponse(request, "reports/admin/steering_meetings.html", context)


@require_POST
def meeting_delete(request, pk: int):
    meeting = get_object_or_404(SteeringMeeting.objects.select_related("org_unit"), pk=pk)
    if not policy.can(request.user, access.STEERING_MEETINGS_MANAGE, meeting.org_unit):
        raise Http404
    steering_meeting_delete(meeting=meeting, by=request.user)
    messages.success(request, _("The meeting date has been deleted."))
    return redirect("reports_halfyear:meetings")


admin_urlpatterns = [
    path("<int:pk>/", download, name="download"),
    path("moeder/", meetings, name="meetings"),
    path("moeder/<int:pk>/slet/", meeting_delete, name="meeting_delete"),
]


def halfyear_context(request) -> dict:
    """The dashboard's and the home panel's way to the newest half-year report, and for the
    coordinators to the meeting dates."""
    from reports.selectors.halfyear import reports_for

    reports = reports_for(user=request.user)
    latest = reports[0] if reports else None
    return {
        "halfyear_report": latest,
        "halfyear_url": reverse("reports_halfyear:download", args=(latest.pk,)) if latest else "",
        "steering_meetings_url": (
            reverse("reports_halfyear:meetings")
            if policy.can(request.user, access.STEERING_MEETINGS_MANAGE)
            else ""
        ),
    }
