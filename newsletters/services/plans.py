"""The reminder that the next edition is due (newsletters.models.plans), sent once.

The daily beat task (newsletters.tasks.send_plan_reminders) hands every Infohus whose current or
next edition is within its reminder weeks and not covered by a send to edition_reminder_send(),
which claims the EditionReminder row (unique per Infohus and due date) before the mails go out:
however often the task runs, and however many workers run it at once, the coordinators hear once
per due date. If sending fails, the claim is released so the next run tries again.

The mail goes to the Infohus's coordinators (whoever holds the SEND action there by a role on
the unit or above it; superusers are not coordinators of every municipality).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit
from lms.people import policy
from lms.people.models import OrgUnit, User
from newsletters import access
from newsletters.emails.plans import plan_reminder_send
from newsletters.models import EditionPlan, EditionReminder
from newsletters.models.plans import MAX_REMINDER_WEEKS
from newsletters.selectors.plans import dues_by_unit, edition_dues, infohus_units


def edition_plan_save(
    *,
    org_unit: OrgUnit,
    first_due_month: int,
    second_due_month: int,
    reminder_weeks: int,
    by: User | None,
) -> EditionPlan:
    """Set an Infohus's plan: the months its spring (January-June) and autumn (July-December)
    editions are due by the first of, and how many weeks before the coordinators are reminded."""
    policy.require(by, access.WRITE, org_unit)
    errors = {}
    if first_due_month not in range(1, 7):
        errors["first_due_month"] = _("Choose a month from January to June.")
    if second_due_month not in range(7, 13):
        errors["second_due_month"] = _("Choose a month from July to December.")
    if reminder_weeks not in range(1, MAX_REMINDER_WEEKS + 1):
        errors["reminder_weeks"] = _("Choose from 1 to %(max)d weeks.") % {
            "max": MAX_REMINDER_WEEKS
        }
    if errors:
        raise ValidationError(errors, code="invalid")
    values = {
        "first_due_month": first_due_month,
        "second_due_month": second_due_month,
        "reminder_weeks": reminder_weeks,
    }
    with transaction.atomic():
        plan, _created = EditionPlan.objects.update_or_create(org_unit=org_unit, defaults=values)
        audit.log(plan, "lms.newsletter_plan.change", by=by, data=values)
    return plan


def plan_coordinator_addresses(unit: OrgUnit) -> list[str]:
    """The addresses of the unit's coordinators, sorted."""
    ids = policy.role_holders_by_unit(access.SEND, units=[unit])[unit.pk]
    users = User.objects.filter(pk__in=sorted(ids), is_active=True).exclude(email="")
    return sorted(users.values_list("email", flat=True))


def edition_reminder_send(*, unit_id: int, due_on: dt.date, today: dt.date | None = None) -> bool:
    """Remind the coordinators of one Infohus about one due date, once: re-check that it is
    still due, claim the ledger row, and mail once the claim is committed. True when this call
    claimed it; False when it is not due (any more), nobody would get it, or another run
    claimed it first."""
    today = today or timezone.localdate()
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        return False
    due = next((d for d in edition_dues(unit=unit, today=today) if d.due_on == due_on), None)
    if due is None or not due.reminder_due(today):
        return False
    addresses = plan_coordinator_addresses(unit)
    if not addresses:
        return False
    with transaction.atomic():
        try:
            # A savepoint: the loser of a race gets an IntegrityError here, nothing else breaks.
            with transaction.atomic():
                reminder = EditionReminder.objects.create(
                    org_unit=unit,
                    due_on=due_on,
                    sent_at=timezone.now(),
                    recipients_count=len(addresses),
                )
        except IntegrityError:
            return False
        audit.log(
            reminder,
            "lms.newsletter_plan.remind",
            by=None,
            data={"org_unit": unit.pk, "due_on": due_on.isoformat(), "recipients": len(addresses)},
        )

        def mail():
            try:
                plan_reminder_send(unit=unit, due=due, to=addresses)
            except Exception:
                # Not sent: release the claim, so that the next run tries again.
                EditionReminder.objects.filter(pk=reminder.pk).delete()
                raise

        transaction.on_commit(mail)
    return True


def edition_reminders_send(*, today: dt.date | None = None) -> list[tuple[int, dt.date]]:
    """Every Infohus's due reminders (the daily beat task): the (unit id, due date) pairs this
    run claimed."""
    today = today or timezone.localdate()
    units = infohus_units()
    done = []
    for unit_id, dues in dues_by_unit(units, today=today).items():
        for due in dues:
            if due.reminder_due(today) and edition_reminder_send(
                unit_id=unit_id, due_on=due.due_on, today=today
            ):
                done.append((unit_id, due.due_on))
    return done
