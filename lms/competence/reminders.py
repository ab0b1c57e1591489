"""Recertification reminders: a person hears 60 and 30 days before their evidence for a required
competence runs out, and their manager hears when it has run out.

The daily beat task (lms.competence.tasks.send_expiry_reminders) asks reminders_due() and hands
each (evidence, kind) to reminder_send(), which claims the ExpiryReminder row (unique per evidence
and kind) before the mail goes out: however often the task runs, and however many workers run it
at once, each reminder is sent once. If sending fails, the claim is released so the next run
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
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lms.competence.models import Evidence, ExpiryReminder, Requirement
from lms.competence.selectors import _best_evidence
from lms.mail import mail_send
from lms.people.models import OrgUnit, Person

logger = logging.getLogger(__name__)

K = ExpiryReminder.Kind
EXPIRED_WINDOW_DAYS = 30

SUBJECTS = {
    K.DAYS_60: gettext_noop("Your competence %(competence)s expires on %(date)s"),
    K.DAYS_30: gettext_noop("Your competence %(competence)s expires on %(date)s"),
    K.EXPIRED_MANAGER: gettext_noop("%(name)s's competence %(competence)s has expired"),
}


def kind_for(expires_on: dt.date, today: dt.date) -> str | None:
    """Which reminder a piece of evidence with this last valid day is due for today."""
    days_left = (expires_on - today).days
    if 30 < days_left <= 60:
        return K.DAYS_60.value
    if 0 <= days_left <= 30:
        return K.DAYS_30.value
    if -EXPIRED_WINDOW_DAYS <= days_left < 0:
        return K.EXPIRED_MANAGER.value
    return None


def _due(evidence: list[Evidence], today: dt.date) -> list[tuple[int, str]]:
    """Of the candidate rows (valid, of active people, with their person loaded), those due a
    reminder today that has not been claimed: (evidence id, kind). A fixed number of queries."""
    if not evidence:
        return []
    people = {row.person_id for row in evidence}
    competences = {row.competence_id for row in evidence}
    paths = {p for row in evidence for p in OrgUnit.ancestor_paths(row.person.org_unit.path)}
    requirements = list(
        Requirement.objects.filter(
            competence_id__in=competences, competence__active=True, org_unit__path__in=paths
        )
        .select_related("org_unit")
        .prefetch_related("job_categories")
    )
    best = _best_evidence(
        Evidence.objects.filter(person_id__in=people, competence_id__in=competences), today
    )
    claimed = set(
        ExpiryReminder.objects.filter(evidence_id__in=[row.pk for row in evidence]).values_list(
            "evidence_id", "kind"
        )
    )
    newest: dict[tuple[int, int], Evidence] = {}
    for row in evidence:
        key = (row.person_id, row.competence_id)
        current = best.get(key)
        # Newest: no valid evidence that never expires or lasts longer; of equals, the last one.
        if current is None or current.never_expires or current.expires_on != row.expires_on:
            continue
        if key not in newest or newest[key].pk < row.pk:
            newest[key] = row
    due = []
    for (_person_id, competence_id), row in sorted(newest.items(), key=lambda item: item[1].pk):
        person = row.person
        required = any(
            requirement.competence_id == competence_id
            and person.org_unit.path.startswith(requirement.org_unit.path)
            and any(c.pk == person.job_category_id for c in requirement.job_categories.all())
            for requirement in requirements
        )
        if not required:
            continue
        kind = kind_for(row.expires_on, today)
        if kind is None or (row.pk, kind) in claimed:
            continue
        if kind == K.EXPIRED_MANAGER and _manager_address(person) is None:
            continue
        due.append((row.pk, kind))
    return due


def _candidates(today: dt.date, **filters) -> list[Evidence]:
    return list(
        Evidence.objects.valid()
        .filter(
            Q(expires_on__gte=today - dt.timedelta(days=EXPIRED_WINDOW_DAYS))
            & Q(expires_on__lte=today + dt.timedelta(days=60)),
            achieved_on__lte=today,
            person__active=True,
            person__anonymised_at__isnull=True,
            person__job_category__isnull=False,
            competence__active=True,
            **filters,
        )
        .select_related("person__org_unit", "person__manager__user", "competence")
        .order_by("pk")
    )


def reminders_due(*, today: dt.date | None = None) -> list[tuple[int, str]]:
    """Every (evidence id, kind) due a reminder today and not yet sent. Five queries."""
    today = today or timezone.localdate()
    return _due(_candidates(today), today)


def _manager_address(person: Person) -> str | None:
    manager = person.manager
    if manager is None or not manager.active or manager.anonymised_at is not None:
        return None
    user = manager.user
    if user is None or not user.is_active or not user.email:
        return None
    return user.email


def _url(name: str, fallback: str) -> str:
    # The core imports no feature app: their pages are reached by URL name, when installed.
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = fallback
    return settings.LMS_BASE_URL.rstrip("/") + path


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
        to = _manager_address(person)
        if to is None:
            return None
        context |= {
            "name": person.manager.name,
            "employee": person.name,
            "team_url": _url("courses:team", "/laering/team/"),
        }
        return _Mail(to, "expired_manager", context)
    if not person.email:
        return None
    context |= {
        "name": person.name,
        "learning_url": _url("courses:my_learning", "/laering/"),
        "meetings_url": _url("attendance:meeting_list", "/moeder/"),
        "competences_url": _url("competence:my_competences", "/mine-kompetencer/"),
    }
    return _Mail(person.email, "expiry_soon", context)


def _send(evidence: Evidence, kind: str) -> bool:
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


def reminder_send(*, evidence_id: int, kind: str, today: dt.date | None = None) -> bool:
    """Send one reminder, once: re-check that it is still due, claim its ledger row, and mail
    once the claim is committed. True when this call claimed it; False when it is not due (any
    more) or another run claimed it first."""
    today = today or timezone.localdate()
    candidates = _candidates(today, pk=evidence_id)
    if (evidence_id, kind) not in _due(candidates, today):
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
                _send(evidence, kind)
            except Exception:
                # Not sent: release the claim, so that the next run tries again.
                ExpiryReminder.objects.filter(pk=reminder.pk).delete()
                raise

        transaction.on_commit(mail)
    return True
