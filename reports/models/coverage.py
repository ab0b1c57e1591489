"""The coverage aggregate: what the steering group's dashboards read instead of the ledger.

One row per (org unit, job category, competence) where at least one active person of that unit and
job category is required to hold the competence: how many are required, and how many of them hold
valid evidence, evidence expiring within 90 days, only expired evidence, or none. The four counts
partition `required`. Rows are counted at the person's own unit; a subtree's figures are the sum of
its units' rows (the selectors group by the unit's path).

Never written row by row: reports.services.coverage.coverage_refresh replaces a subtree's rows with
one INSERT ... SELECT over the ledger. Later figures (the trend per half year) get a table of their
own keyed by period; this one is "now".
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lms.competence.models import Competence
from lms.people.models import JobCategory, OrgUnit


class AbstractCoverageCell(models.Model):
    """What the aggregate and the trend both count per (org unit, job category, competence):
    how many are required to hold the competence and how many of them hold it valid."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("org unit")
    )
    job_category = models.ForeignKey(
        JobCategory, on_delete=models.CASCADE, related_name="+", verbose_name=_("job category")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.CASCADE, related_name="+", verbose_name=_("competence")
    )
    # Whether the unit is, or lies below, an external institution or partner: the dashboards put
    # internal units and external institutions side by side and filter on it.
    external = models.BooleanField(_("external"), default=False)
    required = models.PositiveIntegerField(_("required"))
    valid = models.PositiveIntegerField(_("valid"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True


class CoverageCell(AbstractCoverageCell):
    expiring = models.PositiveIntegerField(_("expiring soon"))
    expired = models.PositiveIntegerField(_("expired"))
    missing = models.PositiveIntegerField(_("missing"))

    class Meta:
        verbose_name = _("coverage cell")
        verbose_name_plural = _("coverage cells")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "job_category", "competence"], name="coveragecell_unique"
            ),
            models.CheckConstraint(
                condition=Q(required=F("valid") + F("expiring") + F("expired") + F("missing")),
                name="coveragecell_parts_sum_to_required",
            ),
        ]

    def __str__(self):
        return f"coverage cell #{self.pk}"
