"""What each Infohus sets for its concern handling: the deadlines and the list of services a
concern that is not about extremism is forwarded to.

Keyed by the Infohus unit (the unit a site is for, HomePage.org_unit, which is also
Concern.infohus), not fields of the core's InfohusSettings: the access policy scopes a row by
its unit, so one municipality's coordinators never edit another's (Wagtail's site settings
have one model-wide permission). An Infohus without a ConcernSettings row follows the defaults.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lms.bounds import Bound

# The Infohus acknowledges a concern (records its first step) within this many days...
ACKNOWLEDGE_DAYS = Bound(1, 30)
DEFAULT_ACKNOWLEDGE_DAYS = 3
# ...and gives the reporter feedback within this many days of receiving it.
FEEDBACK_DAYS = Bound(1, 180)
DEFAULT_FEEDBACK_DAYS = 30


class ConcernSettings(models.Model):
    infohus = models.OneToOneField(
        "people.OrgUnit",
        on_delete=models.CASCADE,
        related_name="concern_settings",
        verbose_name=_("Infohus unit"),
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("acknowledge within (days)"),
        default=DEFAULT_ACKNOWLEDGE_DAYS,
        validators=ACKNOWLEDGE_DAYS.validators(),
        help_text=_("Days from receiving a concern until its first step is recorded."),
    )
    feedback_days = models.PositiveSmallIntegerField(
        _("give feedback within (days)"),
        default=DEFAULT_FEEDBACK_DAYS,
        validators=FEEDBACK_DAYS.validators(),
        help_text=_("Days from receiving a concern until the reporter has had feedback."),
    )

    class Meta:
        verbose_name = _("concern deadlines")
        verbose_name_plural = _("concern deadlines")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    acknowledge_days__gte=ACKNOWLEDGE_DAYS.minimum,
                    acknowledge_days__lte=ACKNOWLEDGE_DAYS.maximum,
                    feedback_days__gte=FEEDBACK_DAYS.minimum,
                    feedback_days__lte=FEEDBACK_DAYS.maximum,
                )
                & Q(feedback_days__gte=F("acknowledge_days")),
                name="concern_settings_in_range",
            )
        ]

    def __str__(self):
        return str(self.infohus)


class ForwardingService(models.Model):
    """A service the Infohus forwards a concern to when it is not about extremism (negative
    social control, forced marriage, ...). Deactivated rather than deleted once used: the cases
    that were forwarded to it keep naming it."""

    infohus = models.ForeignKey(
        "people.OrgUnit",
        on_delete=models.CASCADE,
        related_name="forwarding_services",
        verbose_name=_("Infohus unit"),
    )
    name = models.CharField(_("name"), max_length=200)
    handles = models.CharField(
        _("what it handles"),
        max_length=300,
        help_text=_("For example negative social control or forced marriage."),
    )
    contact = models.TextField(_("contact and address"), blank=True, max_length=1000)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("forwarding service")
        verbose_name_plural = _("forwarding services")
        constraints = [
            models.UniqueConstraint(
                fields=["infohus", "name"], name="concern_forwarding_service_unique_name"
            )
        ]

    def __str__(self):
        return self.name


class ConcernReminder(models.Model):
    """The ledger that makes a deadline reminder one per case and deadline: claimed (created)
    before the mails go out; a second run finds the row and sends nothing."""

    class Deadline(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", _("Acknowledgement")
        FEEDBACK = "feedback", _("Feedback to the reporter")

    concern = models.ForeignKey(
        "concerns.Concern", on_delete=models.CASCADE, related_name="reminders"
    )
    deadline = models.CharField(_("deadline"), max_length=16, choices=Deadline.choices)
    due_on = models.DateField(_("due on"))
    sent_at = models.DateTimeField(_("sent"))
    recipients_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("concern reminder")
        verbose_name_plural = _("concern reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["concern", "deadline"], name="concern_reminder_once_per_deadline"
            )
        ]

    def __str__(self):
        return f"{self.concern_id}:{self.deadline}"
