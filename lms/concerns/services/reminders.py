"""The deadline reminders: once a case's acknowledgement or feedback is due (on its due date or
after it) and not met, those who receive the case on its route are mailed once per case and
deadline.

The daily beat task (lms.concerns.send_deadline_reminders) calls concern_reminders_send();
concern_reminder_send() claims the ConcernReminder row (unique per case and deadline) before
the mails go out, so however often the task runs, and however many workers run it at once, each
deadline is reminded once. If sending fails, the claim is released so the next run tries again.
The mail carries the case reference and a link, never content or names.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from lms import audit
from lms.clock import as_of
from lms.concerns.emails import intake as emails
from lms.concerns.models import Concern, ConcernReminder
from lms.concerns.selectors.deadlines import deadlines_owed, due_q

LOG_REMIND = "lms.concern.remind"


def concern_reminder_send(
    *, concern_id: int, deadline: str, now: dt.datetime | None = None
) -> bool:
    """Remind the case's recipients of one deadline, once. True when this call claimed it;
    False when it is not owed (any more), nobody would get it, or another run claimed it."""
    moment = as_of(now)
    today = timezone.localtime(moment).date()
    concern = Concern.objects.select_related("infohus").filter(pk=concern_id).first()
    if concern is None:
        return False
    owed = dict(deadlines_owed(concern, today=today))
    if deadline not in owed:
        return False
    user_ids = emails.recipient_ids(concern_id=concern.pk)
    if not user_ids:
        return False
    with transaction.atomic():
        try:
            # A savepoint: the loser of a race gets an IntegrityError here, nothing else breaks.
            with transaction.atomic():
                reminder = ConcernReminder.objects.create(
                    concern=concern,
                    deadline=deadline,
                    due_on=owed[deadline],
                    sent_at=moment,
                    recipients_count=len(user_ids),
                )
        except IntegrityError:
            return False
        audit.log(
            concern,
            LOG_REMIND,
            by=None,
            data={"deadline": deadline, "due_on": owed[deadline].isoformat()},
        )

        def mail():
            try:
                for user_id in user_ids:
                    emails.reminder_send(concern_id=concern.pk, user_id=user_id, deadline=deadline)
            except Exception:
                # Not sent: release the claim, so that the next run tries again.
                ConcernReminder.objects.filter(pk=reminder.pk).delete()
                raise

        transaction.on_commit(mail)
    return True


def concern_reminders_send(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Every case's due reminders (the daily beat task): the (case id, deadline) pairs this run
    claimed."""
    moment = as_of(now)
    today = timezone.localtime(moment).date()
    candidates = (
        Concern.objects.filter(due_q(today=today))
        .order_by("pk")
        .only("pk", "status", "acknowledge_due_on", "feedback_due_on")
    )
    claimed = set(
        ConcernReminder.objects.filter(concern__in=candidates).values_list("concern_id", "deadline")
    )
    done = []
    for concern in candidates:
        for deadline, _due in deadlines_owed(concern, today=today):
            if (concern.pk, deadline) in claimed:
                continue
            if concern_reminder_send(concern_id=concern.pk, deadline=deadline, now=moment):
                done.append((concern.pk, deadline))
    return done
