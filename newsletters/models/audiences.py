"""The audience an Infohus sends to when none is chosen: by default everyone in the
administrations it serves (its unit's subtree, externals left out), changed per Infohus here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.people.models import JobCategory, OrgUnit


class AudienceDefault(models.Model):
    org_unit = models.OneToOneField(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="newsletter_audience_default",
        verbose_name=_("Infohus unit"),
    )
    units = models.ManyToManyField(
        OrgUnit,
        related_name="+",
        verbose_name=_("audience units"),
        help_text=_("Each unit with everything below it. None: the whole Infohus unit."),
        blank=True,
    )
    job_categories = models.ManyToManyField(
        JobCategory,
        blank=True,
        related_name="+",
        verbose_name=_("job categories"),
        help_text=_("None: every job category."),
    )
    include_externals = models.BooleanField(
        _("include staff of external institutions"), default=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("default newsletter audience")
        verbose_name_plural = _("default newsletter audiences")

    def __str__(self):
        return f"audience default #{self.pk}"
