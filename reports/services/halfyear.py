"""The half-year report: built as a PDF and offered to the steering group before its meeting.

halfyear_report_build draws the report of a scope (reports.documents.halfyear) and stores it as a
HalfYearReport. halfyear_reports_due (the daily beat task reports.halfyear_reports_due) does it
for every steering group meeting within REPORTS_HALFYEAR_DAYS_BEFORE days that has not been
offered yet, and mails the steering group of that Infohus a link to the file, never its figures.
Each meeting is claimed under a row lock and marked (`notified_at`) in the same transaction as its
report is stored, so a second run, or two workers at once, build and mail nothing more.

steering_meeting_save / steering_meeting_delete: the coordinator's dates, through the policy.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit, bounds
from lms.people import policy
from lms.people.models import OrgUnit, User
from lms.site.selectors.site import infohus_name
from reports import access
from reports.documents.halfyear import halfyear_pdf
from reports.emails.halfyear import halfyear_report_offer_send
from reports.models import HalfYearReport, SteeringMeeting
from reports.selectors.halfyear import halfyear_facts


def halfyear_report_build(
    *, unit: OrgUnit, meeting: SteeringMeeting | None = None, today: dt.date | None = None
) -> HalfYearReport:
    """Draw and store the report on the half-year of `today` for `unit`'s subtree."""
    today = today or timezone.localdate()
    facts = halfyear_facts(unit=unit, today=today)
    content = halfyear_pdf(facts=facts, issuer=infohus_name())
    report = HalfYearReport(
        org_unit=unit, period_start=facts.period.start, meeting=meeting, built_at=timezone.now()
    )
    report.file.save(
        f"halvaarsrapport-{unit.pk}-{facts.period}.pdf", ContentFile(content), save=False
    )
    report.save()
    return report


def halfyear_reports_due(*, today: dt.date | None = None) -> list[HalfYearReport]:
    """Build and offer the report of each meeting due; the reports built."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.REPORTS_HALFYEAR_DAYS_BEFORE)
    due = list(
        SteeringMeeting.objects.filter(
            notified_at__isnull=True, meets_on__gte=today, meets_on__lte=horizon
        ).values_list("pk", flat=True)
    )
    built = []
    for pk in due:
        with transaction.atomic():
            meeting = (
                SteeringMeeting.objects.select_for_update()
                .select_related("org_unit")
                .filter(pk=pk, notified_at__isnull=True)
                .first()
            )
            if meeting is None:
                continue
            report = HalfYearReport.objects.filter(meeting=meeting).first()
            if report is None:
                report = halfyear_report_build(unit=meeting.org_unit, meeting=meeting, today=today)
            meeting.notified_at = timezone.now()
            meeting.save(update_fields=["notified_at"])
            built.append(report)
            transaction.on_commit(
                lambda report=report, meeting=meeting: halfyear_report_offer_send(
                    report=report, meeting=meeting
                )
            )
    return built


def steering_meeting_save(
    *, org_unit: OrgUnit, meets_on: dt.date, by: User | None, meeting: SteeringMeeting | None = None
) -> SteeringMeeting:
    """Add a meeting date of the steering group of `org_unit` (or move `meeting` to a new date)."""
    policy.require(by, access.STEERING_MEETINGS_MANAGE, org_unit)
    if error := bounds.date_error(meets_on):
        raise ValidationError({"meets_on": error})
    clash = SteeringMeeting.objects.filter(org_unit=org_unit, meets_on=meets_on)
    if meeting is not None:
        clash = clash.exclude(pk=meeting.pk)
    if clash.exists():
        raise ValidationError(
            {"meets_on": _("The steering group already meets on this date.")}, code="duplicate"
        )
    if meeting is None:
        meeting = SteeringMeeting.objects.create(org_unit=org_unit, meets_on=meets_on)
        audit.log(meeting, "reports.steering_meeting.create", by=by)
    else:
        if meeting.org_unit_id != org_unit.pk:
            raise ValidationError(_("You do not have permission to do this here."))
        meeting.meets_on = meets_on
        # A new date is a new meeting to offer the report before.
        meeting.notified_at = None
        meeting.save(update_fields=["meets_on", "notified_at"])
        audit.log(meeting, "reports.steering_meeting.edit", by=by)
    return meeting


def steering_meeting_delete(*, meeting: SteeringMeeting, by: User | None) -> None:
    policy.require(by, access.STEERING_MEETINGS_MANAGE, meeting.org_unit)
    audit.log(meeting, "reports.steering_meeting.delete", by=by)
    meeting.delete()
