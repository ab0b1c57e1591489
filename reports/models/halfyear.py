"""The half-year report: the PDF the steering group takes to its meeting.

SteeringMeeting: the dates the steering group of an Infohus (the unit a site is for) meets,
entered by the coordinator in the admin. `notified_at` is set once the report for that meeting
was built and the steering group told: the daily task (reports.halfyear_reports_due) does both
once per meeting, REPORTS_HALFYEAR_DAYS_BEFORE days before it.

HalfYearReport: one built PDF, for a scope (the unit), the half-year it reports on and the
meeting it was built for (unique: one report per meeting). The file lies in private storage and
is served only through a view that asks the access policy.

A table of this app's own keyed by the unit, like the newsletter plan: the access policy scopes
a row by its unit, so one municipality's coordinators never edit another's dates.
"""

from __future__ import annotations

from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.people.models import OrgUnit


class SteeringMeeting(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("Infohus unit"),
    )
    meets_on = models.DateField(_("meeting date"))
    notified_at = models.DateTimeField(
        _("report offered at"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["meets_on", "pk"]
        verbose_name = _("steering group meeting")
        verbose_name_plural = _("steering group meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "meets_on"], name="steeringmeeting_unique_date"
            )
        ]

    def __str__(self):
        return f"{self.org_unit} {self.meets_on:%d-%m-%Y}"


def _reports_storage():
    # A callable, so that tests and production choose the storage in settings.STORAGES.
    return storages["reports"]


class HalfYearReport(models.Model):
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit")
    )
    period_start = models.DateField(_("half-year"))
    meeting = models.OneToOneField(
        SteeringMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report",
        verbose_name=_("steering group meeting"),
    )
    file = models.FileField(_("file"), storage=_reports_storage, upload_to="halfyear/")
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        ordering = ["-built_at", "-pk"]
        verbose_name = _("half-year report")
        verbose_name_plural = _("half-year reports")

    def __str__(self):
        return f"half-year report #{self.pk}"
