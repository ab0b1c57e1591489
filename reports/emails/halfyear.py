"""The mail that offers the steering group its half-year report before a meeting: the meeting's
date and a link to the report in the admin. Never a figure: mail leaves the platform, and the
report's figures are for those the access policy lets download it."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from lms.mail import absolute_url, mail_send
from lms.people.models import Role, User
from reports.models import HalfYearReport, SteeringMeeting


def steering_group_addresses(meeting: SteeringMeeting) -> list[str]:
    """The active users who hold the steering group role on the meeting's unit."""
    return sorted(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.STEERING_GROUP,
            role_assignments__org_unit=meeting.org_unit,
        )
        .values_list("email", flat=True)
        .distinct()
    )


def halfyear_report_url(report: HalfYearReport) -> str:
    return absolute_url(reverse("reports_halfyear:download", args=(report.pk,)))


def halfyear_report_offer_send(*, report: HalfYearReport, meeting: SteeringMeeting) -> int:
    """One mail to each member of the steering group; the number sent."""
    with translation.override(settings.LANGUAGE_CODE):
        meets_on = formats.date_format(meeting.meets_on, "j. F Y")
        context = {
            "unit": meeting.org_unit.name,
            "meets_on": meets_on,
            "url": halfyear_report_url(report),
        }
        subject = _("The half-year report for the steering group meeting on %(date)s") % {
            "date": meets_on
        }
        text = render_to_string("reports/email/halfyear_report.txt", context)
    return sum(
        mail_send(subject=subject, to=[address], text=text)
        for address in steering_group_addresses(meeting)
    )
