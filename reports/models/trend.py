"""The coverage trend: coverage per half-year, as of each half-year's last day.

One row per (half-year, org unit, job category, competence) where at least one person of that
unit and job category was required to hold the competence on the day the half-year is computed
as of (`as_of`: its last day once it has ended, else the day of the latest refresh): how many
were required and how many of them held valid evidence that day. A person counts from the day
they joined (when they were first imported: the roster carries no start date) until the day
before they left (Person.left_on); evidence counts from `achieved_on` to `expires_on` inclusive,
voided evidence never. Requirements, units and job categories are today's: the ledger keeps
no history of them.

Written only by reports.services.trend.trend_refresh: an ended half-year once (its rows are
final when `as_of` is its last day), the current one with every coverage refresh.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reports.models.coverage import AbstractCoverageCell


class CoverageTrendCell(AbstractCoverageCell):
    period_start = models.DateField(_("half-year"))
    as_of = models.DateField(_("as of"))

    class Meta:
        verbose_name = _("coverage trend cell")
        verbose_name_plural = _("coverage trend cells")
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "org_unit", "job_category", "competence"],
                name="coveragetrendcell_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid__lte=F("required")), name="coveragetrendcell_valid_le_required"
            ),
        ]

    def __str__(self):
        return f"coverage trend cell #{self.pk}"
