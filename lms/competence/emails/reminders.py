"""The recertification reminder mails: to the person before their evidence runs out, to their
manager once it has. A mail names the person and the competence and its date: nothing else about
anyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lms.competence import links
from lms.competence.models import Evidence, ExpiryReminder
from lms.competence.selectors.reminders import manager_address
from lms.mail import absolute_url, mail_send

K = ExpiryReminder.Kind

SUBJECTS = {
    K.DAYS_60: gettext_noop("Your competence %(competence)s expires on %(date)s"),
    K.DAYS_30: gettext_noop("Your competence %(competence)s expires on %(date)s"),
    K.EXPIRED_MANAGER: gettext_noop("%(name)s's competence %(competence)s has expired"),
}


def _url(name: str) -> str:
    return absolute_url(reverse(name))


def _team_url() -> str | None:
    # The features' pages come from the registry (lms.competence.links): the core names none.
    team = links.links_at(links.Place.TEAM)
    return team[0].absolute_url if team else None


def _date(day: dt.date) -> str:
    return formats.date_format(day, "j. F Y")


@dataclass(frozen=True)
class _Mail:
    to: str
    template: str
    context: dict


def _mail_for(evidence: Evidence, kind: str) -> _Mail | None:
    person = evidence.person
    context = {
        "competence": evidence.competence.name,
        "expires_on": _date(evidence.expires_on),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    if kind == K.EXPIRED_MANAGER:
        to = manager_address(person)
        if to is None:
            return None
        context |= {
            "name": person.manager.name,
            "employee": person.name,
            "team_url": _team_url(),
        }
        return _Mail(to, "expired_manager", context)
    if not person.email:
        return None
    context |= {
        "name": person.name,
        "renewal_links": links.links_at(links.Place.RENEWAL),
        "competences_url": _url("competence:my_competences"),
    }
    return _Mail(person.email, "expiry_soon", context)


def reminder_mail_send(evidence: Evidence, kind: str) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        mail = _mail_for(evidence, kind)
        if mail is None:
            return False
        subject = _(SUBJECTS[kind]) % {
            "competence": evidence.competence.name,
            "date": _date(evidence.expires_on),
            "name": evidence.person.name,
        }
        text = render_to_string(f"competence/email/{mail.template}.txt", mail.context)
        html = render_to_string(f"competence/email/{mail.template}.html", mail.context)
    mail_send(subject=subject, to=[mail.to], text=text, html=html)
    return True
