"""An urgent internal message: the action plan's acute-situation rule.

In an acute situation a leader informs staff broadly: what has happened and what is being done,
who acts, how staff should act, and whom to contact. It is no web publication (no page, no
archive): a plain mail, delivered through the same Send and Delivery ledger as the editions, on
the urgent queue, at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.people.models import OrgUnit


class UrgentMessage(models.Model):
    # The Infohus (the municipality) the message is sent from: its footer and concern route.
    org_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="urgent_messages",
        verbose_name=_("sent from"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    situation = models.TextField(
        _("what has happened and what is being done"),
        help_text=_("Facts only, no personal data about the people involved."),
    )
    who_acts = models.TextField(_("who acts"))
    staff_action = models.TextField(_("how staff should act"))
    contact = models.TextField(
        _("whom to contact"), help_text=_("Names, phone numbers and when they can be reached.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("urgent message")
        verbose_name_plural = _("urgent messages")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject="")
                & ~models.Q(situation="")
                & ~models.Q(who_acts="")
                & ~models.Q(staff_action="")
                & ~models.Q(contact=""),
                name="newsletter_urgent_message_complete",
            )
        ]

    def __str__(self):
        return self.subject
