"""Reads of the competence ledger that views, reports and feature apps share.

A person's status per required competence is derived from their best non-voided evidence:

- valid: it is valid for more than EXPIRING_WITHIN_DAYS days yet (or never expires);
- expiring: its last valid day (expires_on) is today or within EXPIRING_WITHIN_DAYS days;
- expired: every piece of evidence has passed its last valid day;
- missing: there is no evidence at all.

Which requirements apply to a person: the requirement's unit is the person's unit or one of its
ancestors, and the person's job category is one of the requirement's job categories.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.competence.models import Competence, Evidence, Requirement
from lms.people.models import OrgUnit, Person

EXPIRING_WITHIN_DAYS = 90


class Status:
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"

    LABELS = {
        VALID: _("Valid"),
        EXPIRING: _("Expiring soon"),
        EXPIRED: _("Expired"),
        MISSING: _("Missing"),
    }


@dataclass(frozen=True)
class Best:
    """The best evidence a person holds for a competence: never expires, or the latest expiry."""

    never_expires: bool
    expires_on: dt.date | None


@dataclass(frozen=True)
class CompetenceStatus:
    competence: Competence
    status: str
    # The last valid day of the best evidence; None when missing or when it never expires.
    valid_until: dt.date | None
    # The day the requirement came to apply to the person: the later of the day it was made
    # and the day they entered the roster (the earliest such day of several requirements).
    applies_since: dt.date | None = None

    @property
    def due_on(self) -> dt.date | None:
        """By when the person must hold (or renew) the competence: the last valid day of their
        evidence; when they have none, the day the requirement came to apply to them. None when
        their evidence never expires."""
        if self.status == Status.MISSING:
            return self.applies_since
        return self.valid_until

    @property
    def label(self):
        return Status.LABELS[self.status]


def status_of(best: Best | None, today: dt.date) -> tuple[str, dt.date | None]:
    if best is None:
        return Status.MISSING, None
    if best.never_expires:
        return Status.VALID, None
    if best.expires_on < today:
        return Status.EXPIRED, best.expires_on
    if best.expires_on <= today + dt.timedelta(days=EXPIRING_WITHIN_DAYS):
        return Status.EXPIRING, best.expires_on
    return Status.VALID, best.expires_on


def _requirements(filter_q: Q) -> list[Requirement]:
    return list(
        Requirement.objects.filter(filter_q, competence__active=True)
        .select_related("competence", "org_unit")
        .prefetch_related("job_categories")
    )


def _best_evidence(evidence: QuerySet[Evidence], today: dt.date) -> dict[tuple[int, int], Best]:
    """(person id, competence id) -> Best, in one aggregate query."""
    rows = (
        evidence.filter(voided_at__isnull=True, achieved_on__lte=today)
        .values("person_id", "competence_id")
        .annotate(
            # Counted on a column of the live-evidence index, not the primary key, so that the
            # aggregate is an index-only scan on PostgreSQL (docs/plans/evidence.md).
            never=Count("competence_id", filter=Q(expires_on__isnull=True)),
            latest=Max("expires_on"),
        )
    )
    return {
        (row["person_id"], row["competence_id"]): Best(bool(row["never"]), row["latest"])
        for row in rows
    }


def _since_add(
    since: dict[int, dt.date | None],
    competence_id: int,
    requirement: Requirement,
    joined: dt.date | None,
) -> None:
    """Keep in `since` the earliest day a requirement for the competence came to apply: the
    later of the day it was made and the day the person joined the roster."""
    made = timezone.localdate(requirement.created_at) if requirement.created_at else None
    day = max((d for d in (made, joined) if d is not None), default=None)
    known = since.get(competence_id)
    if competence_id not in since or (day and (known is None or day < known)):
        since[competence_id] = day


def _statuses(
    person: Person,
    requirements: list[Requirement],
    best: dict[tuple[int, int], Best],
    today: dt.date,
) -> list[CompetenceStatus]:
    if person.job_category_id is None:
        return []
    path = person.org_unit.path
    joined = timezone.localdate(person.created_at) if person.created_at else None
    competences: dict[int, Competence] = {}
    since: dict[int, dt.date | None] = {}
    for requirement in requirements:
        if not path.startswith(requirement.org_unit.path):
            continue
        # .all() on prefetched job categories: no query.
        if any(c.pk == person.job_category_id for c in requirement.job_categories.all()):
            competences.setdefault(requirement.competence_id, requirement.competence)
            _since_add(since, requirement.competence_id, requirement, joined)
    result = []
    for competence in sorted(competences.values(), key=lambda c: (c.name, c.pk)):
        status, valid_until = status_of(best.get((person.pk, competence.pk)), today)
        result.append(CompetenceStatus(competence, status, valid_until, since.get(competence.pk)))
    return result


def competence_status_for_person(
    *, person: Person, today: dt.date | None = None
) -> list[CompetenceStatus]:
    """The person's status for each competence required of them, by competence name.

    One query: the requirements that apply to the person (their unit or above, their job
    category), each with the person's best live evidence for its competence as two subqueries
    (any evidence that never expires; the latest last valid day), the same answer as
    _best_evidence's aggregate. The filter on the job category stands for the prefetch of the
    requirements' categories that the bulk reads need."""
    today = today or timezone.localdate()
    if person.job_category_id is None:
        return []
    live = Evidence.objects.filter(
        person=person,
        competence_id=OuterRef("competence_id"),
        voided_at__isnull=True,
        achieved_on__lte=today,
    )
    requirements = (
        Requirement.objects.filter(
            org_unit__path__in=OrgUnit.ancestor_paths(person.org_unit.path),
            job_categories=person.job_category_id,
            competence__active=True,
        )
        .select_related("competence")
        .annotate(
            never=Exists(live.filter(expires_on__isnull=True)),
            latest=Subquery(
                live.filter(expires_on__isnull=False)
                .order_by("-expires_on")
                .values("expires_on")[:1]
            ),
        )
    )
    joined = timezone.localdate(person.created_at) if person.created_at else None
    competences: dict[int, Competence] = {}
    best: dict[tuple[int, int], Best] = {}
    since: dict[int, dt.date | None] = {}
    for requirement in requirements:
        competence_id = requirement.competence_id
        competences.setdefault(competence_id, requirement.competence)
        if requirement.never or requirement.latest is not None:
            best[(person.pk, competence_id)] = Best(requirement.never, requirement.latest)
        _since_add(since, competence_id, requirement, joined)
    return [
        CompetenceStatus(
            competence,
            *status_of(best.get((person.pk, competence.pk)), today),
            since[competence.pk],
        )
        for competence in sorted(competences.values(), key=lambda c: (c.name, c.pk))
    ]


def competence_status_for_subtree(
    *, unit: OrgUnit, today: dt.date | None = None
) -> dict[Person, list[CompetenceStatus]]:
    """For every active person in `unit`'s subtree: their status per required competence.

    A fixed number of queries however many people: the requirements that can apply anywhere in
    the subtree (with their job categories), the people, and one aggregate over the evidence.
    People with no requirement get an empty list.
    """
    today = today or timezone.localdate()
    requirements = _requirements(
        Q(org_unit__path__in=OrgUnit.ancestor_paths(unit.path))
        | Q(org_unit__path__startswith=unit.path)
    )
    people = list(
        Person.objects.active()
        .in_subtree(unit)
        .filter(anonymised_at__isnull=True)
        .select_related("org_unit", "job_category")
        .order_by("name", "pk")
    )
    best: dict[tuple[int, int], Best] = {}
    if requirements and people:
        best = _best_evidence(
            Evidence.objects.filter(
                person__org_unit__path__startswith=unit.path,
                person__active=True,
                competence_id__in={r.competence_id for r in requirements},
            ),
            today,
        )
    return {person: _statuses(person, requirements, best, today) for person in people}


def competence_status_for_people(
    *, people: QuerySet[Person], today: dt.date | None = None
) -> dict[Person, list[CompetenceStatus]]:
    """For each person of `people` (any units): their status per required competence.

    Four queries however many people: the people (with their units), the requirements that can
    apply to any of their units (with their job categories), and one aggregate over the evidence.
    """
    today = today or timezone.localdate()
    people_list = list(people.select_related("org_unit", "job_category").order_by("name", "pk"))
    if not people_list:
        return {}
    paths = {p for person in people_list for p in OrgUnit.ancestor_paths(person.org_unit.path)}
    requirements = _requirements(Q(org_unit__path__in=sorted(paths)))
    best: dict[tuple[int, int], Best] = {}
    if requirements:
        best = _best_evidence(
            Evidence.objects.filter(
                person_id__in=[person.pk for person in people_list],
                competence_id__in={r.competence_id for r in requirements},
            ),
            today,
        )
    return {person: _statuses(person, requirements, best, today) for person in people_list}


def evidence_for_person(*, person: Person) -> QuerySet[Evidence]:
    """All the person's evidence, voided rows included (the ledger is theirs to see)."""
    return (
        Evidence.objects.filter(person=person)
        .select_related("competence")
        .order_by("-achieved_on", "-pk")
    )


def status_counts(statuses: dict[Person, list[CompetenceStatus]]) -> dict[int, dict[str, int]]:
    """competence id -> {status: number of people}: what a coverage report aggregates."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Status.LABELS, 0))
    for items in statuses.values():
        for item in items:
            counts[item.competence.pk][item.status] += 1
    return dict(counts)


# Bumped by lms.competence.signals on every write to the ledger, the requirements or the
# competences in this process: a memo made before a write is never read after it.
_writes = 0


def ledger_written() -> None:
    global _writes
    _writes += 1


def competence_status_for_request(request, *, person: Person) -> list[CompetenceStatus]:
    """competence_status_for_person, once per request: Min side's sections (the competence
    status and the required courses) both show it, and read it from here.

    The memo lives on the request, so it never outlives the request or crosses users. It is
    keyed by what the answer depends on besides the database (the person, their unit and job
    category, the day) and by the count of this process's ledger writes, so a write earlier in
    the same request (a service that adds evidence, say) makes the next read compute again. A
    write by another process during the request is seen by the next request, as with any read.
    """
    key = (person.pk, person.org_unit.path, person.job_category_id, timezone.localdate(), _writes)
    memo = getattr(request, "_lms_competence_status", None)
    if memo is None or memo[0] != key:
        memo = (key, competence_status_for_person(person=person, today=key[3]))
        request._lms_competence_status = memo
    return memo[1]
