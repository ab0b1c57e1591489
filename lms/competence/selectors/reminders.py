"""Which recertification reminders are due (lms.competence.services.reminders sends them).

Each window is a range, not a single day, so a day on which the task did not run is caught up the
next day: 60 days (31-60 days left), 30 days (0-30 days left), expired (up to EXPIRED_WINDOW_DAYS
after the last valid day, so that switching reminders on does not mail managers about everything
that ran out years ago).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from lms.competence.models import Evidence, ExpiryReminder, Requirement
from lms.competence.selectors.status import _best_evidence
from lms.people.models import OrgUnit, Person

K = ExpiryReminder.Kind
EXPIRED_WINDOW_DAYS = 30


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


def manager_address(person: Person) -> str | None:
    """The manager's address while both they and their account are active, else None."""
    manager = person.manager
    if manager is None or not manager.active or manager.anonymised_at is not None:
        return None
    user = manager.user
    if user is None or not user.is_active or not user.email:
        return None
    return user.email


def reminders_due_of(evidence: list[Evidence], today: dt.date) -> list[tuple[int, str]]:
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
        if kind == K.EXPIRED_MANAGER and manager_address(person) is None:
            continue
        due.append((row.pk, kind))
    return due


def reminder_candidates(today: dt.date, **filters) -> list[Evidence]:
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
    return reminders_due_of(reminder_candidates(today), today)
