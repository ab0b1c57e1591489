"""Recertification reminders: a person hears 60 and 30 days before their evidence for a required
competence runs out, and their manager hears when it has run out.

The daily beat task (lms.competence.tasks.send_expiry_reminders) asks reminders_due()
(lms.competence.selectors.reminders) and hands each (evidence, kind) to reminder_send(), which
claims the ExpiryReminder row (unique per evidence and kind) before the mail goes out
(lms.competence.emails.reminders): however often the task runs, and however many workers run it at
once, each reminder is sent once. If sending fails, the claim is released so the next run
tries again.

Who is reminded, about what:
- only competences currently required of the person (an active competence, a requirement on their
  unit or above for their job category), and only the person's newest evidence for it: a renewed
  competence gets no reminder for the row it replaced; voided evidence gets none;
- only active people, never anonymised ones; the manager only while both they and their account
  are active;
- each window is a range, not a single day, so a day on which the task did not run is caught up
  the next day: 60 days (31-60 days left), 30 days (0-30 days left), expired (up to
  EXPIRED_WINDOW_DAYS after the last valid day, so that switching reminders on does not mail
  managers about everything that ran out years ago).

A mail names the person and the competence and its date: nothing else about anyone.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from lms.competence.emails.reminders import reminder_mail_send
from lms.competence.models import ExpiryReminder
from lms.competence.selectors.reminders import reminder_candidates, reminders_due_of


def reminder_send(*, evidence_id: int, kind: str, today: dt.date | None = None) -> bool:
    """Send one reminder, once: re-check that it is still due, claim its ledger row, and mail
    once the claim is committed. True when this call claimed it; False when it is not due (any
    more) or another run claimed it first."""
    today = today or timezone.localdate()
    candidates = reminder_candidates(today, pk=evidence_id)
    if (evidence_id, kind) not in reminders_due_of(candidates, today):
        return False
    evidence = candidates[0]
    with transaction.atomic():
        try:
            # A savepoint: the loser of a race gets an IntegrityError here, nothing else breaks.
            with transaction.atomic():
                reminder = ExpiryReminder.objects.create(
                    evidence=evidence, kind=kind, sent_at=timezone.now()
                )
        except IntegrityError:
            return False

        def mail():
            try:
                reminder_mail_send(evidence, kind)
            except Exception:
                # Not sent: release the claim, so that the next run tries again.
                ExpiryReminder.objects.filter(pk=reminder.pk).delete()
                raise

        transaction.on_commit(mail)
    return True
