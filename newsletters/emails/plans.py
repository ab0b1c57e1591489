"""The mail that reminds an Infohus's coordinators that the next edition is due and none is
scheduled: the due date, the half-year, and a link to the newsletter archive in the admin."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from lms.mail import absolute_url, mail_send
from lms.people.models import OrgUnit
from lms.site.models import HomePage
from newsletters.models import NewsletterIndexPage
from newsletters.selectors.plans import EditionDue


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j. F Y")


def plan_admin_url(unit: OrgUnit) -> str:
    """The newsletter archive of the unit's site in the admin (its editions), else the admin's
    home, on LMS_BASE_URL."""
    home = HomePage.objects.filter(org_unit=unit).order_by("pk").first()
    index = (
        NewsletterIndexPage.objects.descendant_of(home).order_by("path").first()
        if home is not None
        else None
    )
    if index is None:
        return absolute_url(reverse("wagtailadmin_home"))
    return absolute_url(reverse("wagtailadmin_explore", args=(index.pk,)))


def half_label(due: EditionDue) -> str:
    """'foråret 2027' / 'efteråret 2027': the half-year an edition is due for."""
    if due.half_start.month == 1:
        return _("spring %(year)d") % {"year": due.half_start.year}
    return _("autumn %(year)d") % {"year": due.half_start.year}


def plan_reminder_send(*, unit: OrgUnit, due: EditionDue, to: list[str]) -> int:
    """One mail to each coordinator; the number sent."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "unit": unit.name,
            "due_on": _date(due.due_on),
            "half": half_label(due),
            "url": plan_admin_url(unit),
        }
        subject = _("The next newsletter is due by %(date)s") % {"date": context["due_on"]}
        text = render_to_string("newsletters/email/plan_reminder.txt", context)
    return sum(mail_send(subject=subject, to=[address], text=text) for address in to)
