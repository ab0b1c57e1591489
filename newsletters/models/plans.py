"""The plan: two editions a year, and the reminder that the next one is due.

Each Infohus (the unit a site is for, HomePage.org_unit) is due an edition in each half of the
year: by the first of `first_due_month` (January to June) and by the first of
`second_due_month` (July to December). A half-year is covered by a newsletter send of that Infohus
scheduled or sent within it (newsletters.selectors.plans). `reminder_weeks` before a due date that
is not covered, the Infohus's coordinators get one mail; `EditionReminder` is the ledger that
makes it one, unique per Infohus and due date.

The plan is this app's own table keyed by the Infohus unit, not a field of the core's
InfohusSettings: the core names no feature, sends are owned by an org unit (not by a site), and
the access policy scopes a row by its unit (Wagtail's site settings have one model-wide
permission, which would let one municipality's coordinators edit another's plan). An Infohus
without a row follows the defaults: 1 April and 1 October, reminded 4 weeks before.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.people.models import OrgUnit

DEFAULT_FIRST_DUE_MONTH = 4
DEFAULT_SECOND_DUE_MONTH = 10
DEFAULT_REMINDER_WEEKS = 4
MAX_REMINDER_WEEKS = 12

MONTHS = [
    (1, _("January")),
    (2, _("February")),
    (3, _("March")),
    (4, _("April")),
    (5, _("May")),
    (6, _("June")),
    (7, _("July")),
    (8, _("August")),
    (9, _("September")),
    (10, _("October")),
    (11, _("November")),
    (12, _("December")),
]


class EditionPlan(models.Model):
    org_unit = models.OneToOneField(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="newsletter_plan",
        verbose_name=_("Infohus unit"),
    )
    first_due_month = models.PositiveSmallIntegerField(
        _("spring edition due by the 1st of"),
        choices=MONTHS[:6],
        default=DEFAULT_FIRST_DUE_MONTH,
    )
    second_due_month = models.PositiveSmallIntegerField(
        _("autumn edition due by the 1st of"),
        choices=MONTHS[6:],
        default=DEFAULT_SECOND_DUE_MONTH,
    )
    reminder_weeks = models.PositiveSmallIntegerField(
        _("remind the coordinators (weeks before)"),
        default=DEFAULT_REMINDER_WEEKS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_REMINDER_WEEKS)],
    )

    class Meta:
        verbose_name = _("newsletter plan")
        verbose_name_plural = _("newsletter plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_due_month__gte=1, first_due_month__lte=6)
                & Q(second_due_month__gte=7, second_due_month__lte=12)
                & Q(reminder_weeks__gte=1, reminder_weeks__lte=MAX_REMINDER_WEEKS),
                name="newsletter_plan_in_range",
            )
        ]

    def __str__(self):
        return str(self.org_unit)


class EditionReminder(models.Model):
    """The reminder about one due date of one Infohus, sent (claimed) once."""

    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("Infohus unit")
    )
    due_on = models.DateField(_("edition due on"))
    sent_at = models.DateTimeField(_("sent at"))
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("newsletter reminder")
        verbose_name_plural = _("newsletter reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "due_on"], name="newsletter_reminder_once_per_due_date"
            )
        ]

    def __str__(self):
        return f"{self.org_unit_id} {self.due_on}"
