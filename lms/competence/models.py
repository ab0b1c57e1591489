"""Competences, who must hold them (requirements) and the append-only evidence ledger.

A person's status per competence is never stored: it is derived from the ledger by
lms.competence.selectors.status.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms import bounds
from lms.people.models import JobCategory, OrgUnit, Person


class Competence(models.Model):
    """A definition of what staff must know. A municipality's own (`owner`), or shared by every
    municipality (no owner), which only a superuser or a regional Infohus changes: renaming or
    retiring a competence changes the requirement status of every unit that requires it."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    validity_months = models.PositiveSmallIntegerField(
        _("validity (months)"),
        null=True,
        blank=True,
        validators=bounds.VALIDITY_MONTHS.validators(),
        help_text=_(
            "How long the competence stays valid after it is achieved. Empty: never expires."
        ),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive competences are no longer required.")
    )
    owner = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_competences",
        verbose_name=_("owned by"),
        help_text=_(
            "The municipality that owns the competence and may change it. Empty: shared by every "
            "municipality, changed only by a regional Infohus or an administrator."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_months__isnull=True)
                | Q(
                    validity_months__gte=bounds.VALIDITY_MONTHS.minimum,
                    validity_months__lte=bounds.VALIDITY_MONTHS.maximum,
                ),
                name="competence_validity_in_range",
            ),
        ]

    def __str__(self):
        return self.name


class Requirement(models.Model):
    """The given job categories within an org subtree must hold the competence."""

    competence = models.ForeignKey(
        Competence,
        on_delete=models.PROTECT,
        related_name="requirements",
        verbose_name=_("competence"),
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="competence_requirements",
        verbose_name=_("organisation unit"),
        help_text=_("The requirement applies to this unit and every unit below it."),
    )
    job_categories = models.ManyToManyField(
        JobCategory, related_name="competence_requirements", verbose_name=_("job categories")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["competence__name", "org_unit__path"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            # One requirement per competence and unit: more job categories go on the same row.
            models.UniqueConstraint(
                fields=["competence", "org_unit"], name="requirement_competence_unit_unique"
            )
        ]

    def __str__(self):
        return f"{self.competence} \u2013 {self.org_unit}"


def _evidence_storage():
    # A callable, so that tests and production choose the storage in settings.STORAGES.
    return storages["evidence"]


class EvidenceDeleteError(Exception):
    """Evidence is never deleted: void it with a reason instead."""


class EvidenceQuerySet(models.QuerySet):
    def delete(self):
        raise EvidenceDeleteError("Evidence is append-only: void it with a reason instead.")

    def valid(self):
        return self.filter(voided_at__isnull=True)


class Evidence(models.Model):
    """One achievement of a competence by a person. Append-only: voided, never deleted."""

    class Source(models.TextChoices):
        MEETING = "meeting", _("Meeting attendance")
        COURSE = "course", _("Course completion")
        EXTERNAL_CDE = "external_cde", _("External course: CDE (formerly NCFE)")
        EXTERNAL_SIRI = "external_siri", _("External course: SIRI")
        EXTERNAL_INFOHUS_NORD = "external_infohus_nord", _("External course: Infohus Nordjylland")
        MANUAL = "manual", _("Recorded manually")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("person")
    )
    competence = models.ForeignKey(
        Competence, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("competence")
    )
    source = models.CharField(_("source"), max_length=32, choices=Source.choices)
    source_reference = models.CharField(
        _("source reference"),
        max_length=200,
        blank=True,
        default="",
        help_text=_('What earned it, e.g. "meeting:123". The same reference counts once.'),
    )
    achieved_on = models.DateField(_("achieved on"))
    # Fixed when the row is recorded: a later change of the competence's validity does not
    # rewrite what a person already holds.
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    # The certificate of an external course, when one was handed in. Private storage: served only
    # through a view that asks the access policy.
    attachment = models.FileField(
        _("certificate file"),
        storage=_evidence_storage,
        upload_to="%Y/%m/",
        blank=True,
        max_length=255,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )
    void_reason = models.TextField(_("reason for voiding"), blank=True, default="")

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-achieved_on", "-pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            # "Evidence once, however often it is marked": the attendance and course apps
            # record with a stable reference and rely on this row being unique while valid.
            models.UniqueConstraint(
                fields=["person", "competence", "source_reference"],
                condition=models.Q(voided_at__isnull=True) & ~models.Q(source_reference=""),
                name="evidence_once_per_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True, void_reason="")
                | (models.Q(voided_at__isnull=False) & ~models.Q(void_reason="")),
                name="evidence_voided_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(expires_on__gte=models.F("achieved_on")),
                name="evidence_expires_after_achieved",
            ),
        ]
        indexes = [
            # Live evidence only, with what a status needs: aggregates over the ledger (a
            # person's best evidence per competence) read it by an index-only scan on PostgreSQL.
            # Every read by person and competence is of live evidence, so no full index on the
            # pair is kept (docs/plans/evidence.md); the person's own ledger, voided rows
            # included, and the checks before a person is deleted read the person's foreign-key
            # index.
            models.Index(
                fields=["person", "competence"],
                include=["expires_on", "achieved_on"],
                condition=models.Q(voided_at__isnull=True),
                name="evidence_live_covering",
            ),
        ]

    def __str__(self):
        # No name: str() ends up in logs and admin titles.
        return f"evidence #{self.pk}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    def delete(self, *args, **kwargs):
        raise EvidenceDeleteError("Evidence is append-only: void it with a reason instead.")


class ExpiryReminder(models.Model):
    """The recertification reminder ledger: one row per piece of evidence and kind of reminder.

    The daily task claims a row (the unique constraint) before the mail goes out, so a reminder is
    sent once however often the task runs, and the ledger shows who was told what and when."""

    class Kind(models.TextChoices):
        DAYS_60 = "60_days", _("Expires in 60 days")
        DAYS_30 = "30_days", _("Expires in 30 days")
        EXPIRED_MANAGER = "expired_manager", _("Expired: the manager was told")

    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("evidence")
    )
    kind = models.CharField(_("reminder"), max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"))

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("expiry reminder")
        verbose_name_plural = _("expiry reminders")
        constraints = [
            models.UniqueConstraint(fields=["evidence", "kind"], name="expiryreminder_once"),
        ]

    def __str__(self):
        return f"expiry reminder #{self.pk}"
