"""Action Cards: what to look for, what to do, whom to call; versioned, approved, handed out.

An ActionCard is the stable identity (its slug is the public URL, printed as a QR code on every
paper card, so it never changes). Its content lives in ActionCardVersion rows: one draft at a time
is edited; approving it (who, when) freezes it and makes it the card's current version; older
approved versions stay as they were, because paper copies of them are still out there.
CardDistribution counts how many copies of which version went where (to a meeting's participants
or to a workplace), so that places holding a superseded version can be found.
attendance.services.cards and attendance.services.distributions make every change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from attendance.blocks import SignsBlock, StepsBlock
from attendance.models.meetings import Meeting
from lms import bounds
from lms.people.models import OrgUnit


class ActionCard(models.Model):
    class Audience(models.TextChoices):
        STAFF = "staff", _("Staff")
        CITIZENS = "citizens", _("Citizens")
        ACUTE = "acute", _("Acute situation")

    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        help_text=_("The card's web address, printed as a QR code: never change it once printed."),
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    # The Infohus (municipality or region) whose card this is: the access policy's scope.
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="action_cards",
        verbose_name=_("owning unit"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_action_cards",
        verbose_name=_("owner"),
        help_text=_("Responsible for the card's content and its review."),
    )
    # The approved version shown on the public page; set only by the approving service.
    current_version = models.ForeignKey(
        "ActionCardVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("current version"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("Action Card")
        verbose_name_plural = _("Action Cards")

    def __str__(self):
        version = self.current_version
        return version.title if version is not None else self.slug


class ActionCardVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    card = models.ForeignKey(
        ActionCard, on_delete=models.PROTECT, related_name="versions", verbose_name=_("card")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("introduction"), blank=True, default="", max_length=600)
    signs = StreamField(SignsBlock(), verbose_name=_("signs to look for"))
    steps = StreamField(StepsBlock(), verbose_name=_("what to do"))
    review_date = models.DateField(
        _("review by"),
        help_text=_("When the content must be reviewed again."),
        validators=bounds.date_validators(),
    )
    change_note = models.CharField(_("what changed"), max_length=300, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["card", "-number"]
        verbose_name = _("Action Card version")
        verbose_name_plural = _("Action Card versions")
        constraints = [
            models.UniqueConstraint(fields=["card", "number"], name="cardversion_number_unique"),
            # One draft at a time: a new version starts as a copy of the current one.
            models.UniqueConstraint(
                fields=["card"], condition=Q(status="draft"), name="cardversion_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="cardversion_approved_has_time",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="cardversion_number_positive"),
        ]

    def __str__(self):
        return f"{self.title} (v{self.number})"


class CardDistribution(models.Model):
    """Copies of one version handed out: at a meeting (one row per meeting and version) or
    to a workplace. `org_unit` is always the place that holds the copies now."""

    version = models.ForeignKey(
        ActionCardVersion,
        on_delete=models.PROTECT,
        related_name="distributions",
        limit_choices_to={"status": "approved"},
        verbose_name=_("version"),
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="card_distributions",
        verbose_name=_("meeting"),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="card_distributions",
        verbose_name=_("place"),
    )
    quantity = models.PositiveIntegerField(_("copies"), validators=bounds.QUANTITY.validators())
    handed_out_on = models.DateField(_("handed out on"), validators=bounds.date_validators())
    note = models.CharField(_("note"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-handed_out_on", "-pk"]
        verbose_name = _("Action Card distribution")
        verbose_name_plural = _("Action Card distributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="carddistribution_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__lte=bounds.QUANTITY.maximum),
                name="carddistribution_quantity_in_range",
            ),
            models.UniqueConstraint(
                fields=["meeting", "version"],
                condition=Q(meeting__isnull=False),
                name="carddistribution_one_per_meeting_version",
            ),
        ]
        indexes = [models.Index(fields=["version", "org_unit"])]

    def __str__(self):
        # The title of its admin pages (inspect, edit, delete): no name of a place or a person.
        return gettext("Distribution no. %(number)s") % {"number": self.pk}
