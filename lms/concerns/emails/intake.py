"""The mails about a new concern, in Danish, as plain text. Called by lms.concerns.tasks with ids.

A mail about a case carries the case reference and a link, never the content, a name or who
reported it (DESIGN.md: no personal data of a concern ever goes into an email):
- those who receive the case on its route (access.route_recipients): a link to the case in the
  admin, behind the sign-in and TOTP; if nobody holds the route's role, the coordinators;
- the reporter, when they gave an address: the receipt with the reference.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from lms.concerns import access
from lms.concerns.lib import routing
from lms.concerns.links import intake_absolute_url
from lms.concerns.models import Concern
from lms.mail import absolute_url, mail_send
from lms.people.models import User

logger = logging.getLogger(__name__)


def case_admin_url(concern: Concern) -> str:
    return absolute_url(reverse("concerns_admin:item", args=(concern.pk,)))


def _load(concern_id: int) -> Concern | None:
    concern = Concern.objects.select_related("infohus").filter(pk=concern_id).first()
    if concern is None:
        logger.info("concern %s is gone; no mail", concern_id)
    return concern


def _recipients(concern: Concern):
    users = access.route_recipients(route=concern.route, infohus=concern.infohus)
    if not users.exists() and concern.route != routing.COORDINATORS:
        # A municipality that has not named its SSP consultant or police representative yet:
        # the coordinators receive the case rather than nobody.
        users = access.route_recipients(route=routing.COORDINATORS, infohus=concern.infohus)
    return users


def recipient_ids(*, concern_id: int) -> list[int]:
    concern = _load(concern_id)
    if concern is None:
        return []
    return list(_recipients(concern).order_by("pk").values_list("pk", flat=True))


def notice_send(*, concern_id: int, user_id: int) -> bool:
    concern = _load(concern_id)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if concern is None or user is None or not user.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "reference": concern.reference,
            "route": concern.get_route_display(),
            "url": case_admin_url(concern),
        }
        subject = _("New concern for the Infohus: %(reference)s") % context
        text = render_to_string("concerns/mail/concern_received.txt", context)
    mail_send(subject=subject, to=[user.email], text=text)
    return True


def receipt_send(*, concern_id: int) -> bool:
    concern = _load(concern_id)
    if concern is None or not concern.reporter_email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        context = {"reference": concern.reference, "url": intake_absolute_url()}
        subject = _("We have received your concern: %(reference)s") % context
        text = render_to_string("concerns/mail/receipt.txt", context)
    mail_send(subject=subject, to=[concern.reporter_email], text=text)
    return True


def reminder_send(*, concern_id: int, user_id: int, deadline: str) -> bool:
    """A deadline reminder to one of those who receive the case: the reference, which deadline,
    the due date and the link; never content or names."""
    from lms.concerns.models import ConcernReminder

    concern = _load(concern_id)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if concern is None or user is None or not user.email:
        return False
    due_on = (
        concern.acknowledge_due_on
        if deadline == ConcernReminder.Deadline.ACKNOWLEDGE
        else concern.feedback_due_on
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "reference": concern.reference,
            "deadline": ConcernReminder.Deadline(deadline).label,
            "due_on": due_on,
            "url": case_admin_url(concern),
        }
        subject = _("Deadline for concern %(reference)s: %(deadline)s") % context
        text = render_to_string("concerns/mail/deadline_reminder.txt", context)
    mail_send(subject=subject, to=[user.email], text=text)
    return True
