"""A concern taken to the Infohus: who reported it, about whom, what was seen, where it went.

Free text and names are EncryptedTextField (encrypted at rest with LMS_CONCERN_KEYS); what the
statistics need (dates, kind of reporter, age group, route, status, the reporter's unit) is
plain. The case belongs to the Infohus unit of the site it was reported on (`infohus`); only that
unit's Infohus members read it (lms.concerns.access).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.concerns.lib.references import reference_new
from lms.concerns.models.fields import EncryptedTextField


class Concern(models.Model):
    class ReporterKind(models.TextChoices):
        STAFF = "staff", _("Member of staff")
        PARTNER = "partner", _("Partner")
        CITIZEN = "citizen", _("Citizen")

    class AgeGroup(models.TextChoices):
        UNDER_18 = "under_18", _("Under 18")
        ADULT = "adult", _("18 or over")
        UNKNOWN = "unknown", _("Don't know")

    class Route(models.TextChoices):
        COORDINATORS = "coordinators", _("The Infohus coordinators")
        SSP_CONSULTANT = "ssp_consultant", _("The SSP consultant")
        POLICE_REPRESENTATIVE = "police_representative", _("The police representative")
        FORWARDED = "forwarded", _("Forwarded to another service")

    class Outcome(models.TextChoices):
        ADVICE = "advice", _("Advice and preventive measures; the case stays with the reporter")
        CRISIS_TEAM = "crisis_team", _("A crisis team is formed")
        POLICE = "police", _("The police decide on a report to PET/EAE")
        FORWARDED = "forwarded", _("Not about extremism: forwarded")

    class PoliceDecision(models.TextChoices):
        REPORT = "report", _("Reported to PET/EAE")
        NO_REPORT = "no_report", _("Not reported to PET/EAE")

    class Status(models.TextChoices):
        # The steps of the action plan and the national assessment tool, in order.
        RECEIVED = "received", _("Received")
        LEADER_INFORMED = "leader_informed", _("Leader informed")
        INTERVIEW = "interview", _("Concern interview")
        ANALYSIS = "analysis", _("Analysis")
        ASSESSMENT = "assessment", _("Overall assessment and recommendation")
        OUTCOME = "outcome", _("Outcome")
        FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(
        _("case reference"), max_length=20, unique=True, default=reference_new, editable=False
    )
    infohus = models.ForeignKey(
        "people.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("Infohus"),
    )
    reporter_kind = models.CharField(_("reported by"), max_length=16, choices=ReporterKind.choices)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reporter's account"),
    )
    # Where a member of staff works: the statistics' administration, and what a department
    # contact may know of (that a concern from their administration is open).
    reporter_unit = models.ForeignKey(
        "people.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reporter's workplace"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter_name = EncryptedTextField(_("reporter's name"), blank=True)
    reporter_organisation = EncryptedTextField(_("reporter's organisation"), blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True)
    reporter_email = EncryptedTextField(_("reporter's email"), blank=True)
    leader_knows = models.BooleanField(_("the reporter's leader knows"), null=True, blank=True)

    age_group = models.CharField(_("age group"), max_length=16, choices=AgeGroup.choices)
    subject_name = EncryptedTextField(_("name of the person"), blank=True)
    description = EncryptedTextField(_("what was seen"))

    route = models.CharField(_("route"), max_length=32, choices=Route.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.RECEIVED
    )
    # The steps of the assessment, each recorded by services.cases.concern_advance in order.
    leader_informed_on = models.DateField(_("leader informed on"), null=True, blank=True)
    interview_on = models.DateField(_("concern interview on"), null=True, blank=True)
    interview_by = EncryptedTextField(_("who took part in the interview"), blank=True)
    analysis_authorities = EncryptedTextField(_("authorities in the analysis"), blank=True)
    assessment = EncryptedTextField(_("overall assessment and recommendation"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    police_decision = models.CharField(
        _("the police's decision"), max_length=16, choices=PoliceDecision.choices, blank=True
    )
    forwarded_to = models.CharField(_("forwarded to"), max_length=200, blank=True)
    # Outcome (d): the service from the Infohus's list (models.settings.ForwardingService), who
    # forwarded the case and when. forwarded_to keeps the service's name as it was then.
    forwarded_service = models.ForeignKey(
        "concerns.ForwardingService",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("forwarded to service"),
    )
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("forwarded by"),
    )
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    feedback_on = models.DateField(_("feedback given on"), null=True, blank=True)
    journal_reference = models.CharField(_("journal reference"), max_length=100, blank=True)

    # The form's one-time token: a second post of the same form (a double click, a reload) finds
    # the case the first one made instead of making another.
    submission = models.UUIDField(unique=True, editable=False)

    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    # The deadlines, from the received date and the Infohus's periods (ConcernSettings) when the
    # case came in: acknowledged once its first step is recorded, feedback once it is given.
    acknowledge_due_on = models.DateField(_("acknowledge by"), null=True, blank=True)
    feedback_due_on = models.DateField(_("feedback by"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # When the free text and names were erased (services.erasure), after the period since closing.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            models.Index(fields=["infohus", "status"], name="concern_infohus_status"),
            models.Index(fields=["status", "feedback_due_on"], name="concern_status_feedback_due"),
        ]
        constraints = [
            models.CheckConstraint(
                # Only a citizen may stay anonymous: staff and partners are called back.
                condition=~models.Q(anonymous=True) | models.Q(reporter_kind="citizen"),
                name="concern_only_citizens_anonymous",
            ),
        ]

    def __str__(self):
        # The reference only: never a name or the text (it ends up in logs and page titles).
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED
