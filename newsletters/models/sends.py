"""A send of one edition to one audience, and its delivery ledger.

The database, not the broker, is the truth about who got the mail. `Send` is the campaign and its
state; `Delivery` is one row per recipient, written for the whole audience in one statement when
the send starts (the recipient list is frozen then), claimed by a worker before the SMTP
transaction and marked right after it (newsletters.services.deliveries). `OptOut` and
`BouncingAddress` are what later sends skip.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.people.models import JobCategory, OrgUnit, Person

from .editions import NewsletterPage
from .urgent import UrgentMessage


class Send(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    # What is sent: an edition, or an urgent message (exactly one of them; the engine only reads
    # `rendered`, so both go through the same ledger).
    edition = models.ForeignKey(
        NewsletterPage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sends",
        verbose_name=_("edition"),
    )
    urgent_message = models.OneToOneField(
        UrgentMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="send",
        verbose_name=_("urgent message"),
    )
    # The Infohus that sends: its coordinators manage the send; the audience lies under it.
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="newsletter_sends",
        verbose_name=_("sent by (Infohus)"),
    )
    audience_units = models.ManyToManyField(
        OrgUnit,
        related_name="newsletter_audiences",
        verbose_name=_("audience units"),
        help_text=_("Each unit with everything below it."),
    )
    job_categories = models.ManyToManyField(
        JobCategory,
        blank=True,
        related_name="newsletter_sends",
        verbose_name=_("job categories"),
        help_text=_("None: every job category."),
    )
    include_externals = models.BooleanField(
        _("include staff of external institutions"), default=False
    )
    # Urgent mail goes on its own queue (NEWSLETTER_URGENT_QUEUE), never behind a newsletter.
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # When a batch last claimed or marked a row: the beat task re-enqueues a send whose claimable
    # rows have seen no progress for NEWSLETTER_STALL_SECONDS.
    progress_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The beat task starts a scheduled send as this user: their scope is checked again then.
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )
    # The mail as rendered when the send started (newsletters.emails.editions.RenderedEdition):
    # every recipient gets the same content, even if the page is edited while the send runs.
    rendered = models.JSONField(null=True, blank=True, editable=False)
    # Counters: a cache of the ledger, recomputed from it (never incremented), so they cannot drift.
    recipients_count = models.PositiveIntegerField(_("recipients"), default=0)
    pending_count = models.PositiveIntegerField(_("pending"), default=0)
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    duplicate_risk_count = models.PositiveIntegerField(_("possibly duplicated"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter send")
        verbose_name_plural = _("newsletter sends")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="newsletter_send_scheduled_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "scheduled", "cancelled"])
                | Q(started_at__isnull=False),
                name="newsletter_send_started_has_time",
            ),
            models.CheckConstraint(
                condition=Q(edition__isnull=False, urgent_message__isnull=True)
                | Q(edition__isnull=True, urgent_message__isnull=False, urgent=True),
                name="newsletter_send_edition_or_urgent_message",
            ),
        ]
        indexes = [models.Index(fields=["status", "scheduled_at"])]

    def __str__(self):
        what = self.edition_id or f"urgent {self.urgent_message_id}"
        return f"{what} \u2192 {self.org_unit_id} ({self.status})"


class Delivery(models.Model):
    """One recipient of one send. The address is frozen when the send starts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        # Claimed by a worker (claim_token) that is about to hand it to the SMTP server.
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    class SkipReason(models.TextChoices):
        NO_EMAIL = "no_email", _("No email address")
        LEFT = "left", _("Has left")
        OPTED_OUT = "opted_out", _("Opted out")
        BOUNCING = "bouncing", _("Address is bouncing")
        CANCELLED = "cancelled", _("Send cancelled")

    # No index of its own: the unique (send, person) index serves every look-up by send.
    send = models.ForeignKey(
        Send,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("send"),
        db_index=False,
    )
    # Kept when a person is deleted: the ledger is what was delivered.
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        related_name="newsletter_deliveries",
        verbose_name=_("person"),
    )
    email = models.CharField(_("email"), max_length=254, blank=True)
    # External recipients get the opt-out link and List-Unsubscribe; internal staff do not.
    external = models.BooleanField(_("external"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    skip_reason = models.CharField(
        _("skip reason"), max_length=16, choices=SkipReason.choices, blank=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    smtp_code = models.PositiveSmallIntegerField(_("SMTP code"), null=True, blank=True)
    smtp_answer = models.TextField(_("SMTP answer"), blank=True)
    # Re-claimed after a worker's lease ran out: that worker may have handed it to the SMTP
    # server before it died, so the recipient may get two copies. Reported, never hidden.
    possibly_duplicated = models.BooleanField(_("possibly duplicated"), default=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["send", "person"], name="newsletter_delivery_unique"),
            models.CheckConstraint(
                condition=Q(status="skipped", skip_reason__gt="")
                | (~Q(status="skipped") & Q(skip_reason="")),
                name="newsletter_delivery_skip_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending")
                | (Q(claimed_at__isnull=False) & Q(claim_token__gt="")),
                name="newsletter_delivery_claimed",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="newsletter_delivery_sent_at",
            ),
        ]
        indexes = [
            # The open rows only, in ledger order: what a batch claims (the first rows of the
            # send, read in order up to its size, no sort), what keeps a send from finishing,
            # what a cancel skips. Every query over it filters on these statuses; the other rows
            # (the whole ledger of a send: counters, report) are read through the unique index.
            # A row marked sent, failed or skipped leaves it, so the mark of each message, an
            # update that writes every index the new row version belongs to, does not write
            # this one (PostgreSQL and SQLite leave a partial index out when its condition does
            # not hold for the new row).
            models.Index(
                fields=["send", "id"],
                condition=Q(status__in=["pending", "sending"]),
                name="newsletter_delivery_open",
            ),
            # The rate limit counts what was sent in the last minute, across sends.
            models.Index(fields=["sent_at"]),
        ]

    def __str__(self):
        return f"{self.send_id}/{self.pk} ({self.status})"


class OptOut(models.Model):
    """An external recipient who asked for no more newsletters (link or one-click header) from
    one Infohus: another municipality's newsletters still reach them. An opt-out without an
    Infohus (recorded before opt-outs had one, from no known send) holds for every Infohus."""

    # Lower case (services.optouts), so the audience query compares with one index lookup.
    email = models.CharField(_("email"), max_length=254, db_index=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Infohus"),
        help_text=_("Empty: opted out of every Infohus's newsletters."),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    send = models.ForeignKey(
        Send,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from send"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("newsletter opt-out")
        verbose_name_plural = _("newsletter opt-outs")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "org_unit"],
                condition=Q(org_unit__isnull=False),
                name="newsletter_optout_unique_per_infohus",
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(org_unit__isnull=True),
                name="newsletter_optout_unique_everywhere",
            ),
        ]

    def __str__(self):
        return f"opt-out #{self.pk}"


class BouncingAddress(models.Model):
    """An address the SMTP server refused permanently (5xx): later sends skip it, with the
    reason, until a delivery to it succeeds again."""

    email = models.CharField(_("email"), max_length=254, unique=True)  # lower case
    smtp_code = models.PositiveSmallIntegerField(_("SMTP code"))
    smtp_answer = models.TextField(_("SMTP answer"), blank=True)
    send = models.ForeignKey(
        Send,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("send"),
    )
    bounced_at = models.DateTimeField(_("bounced at"))

    class Meta:
        verbose_name = _("bouncing address")
        verbose_name_plural = _("bouncing addresses")

    def __str__(self):
        return f"bouncing #{self.pk}"
