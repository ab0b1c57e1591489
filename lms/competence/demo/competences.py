"""Demo data for the competence ledger: the two competences every front-line employee of the demo
municipality must hold, and evidence for part of the roster, so that "Mine kompetencer" and the
coverage figures have something to show.

Idempotent: competences and requirements are created only when missing (a coordinator may have
edited them since), and each piece of evidence has a stable reference ("demo:<code>:<employee
number>") that the ledger records only once. Dates are relative to the day of the first load.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from lms.competence.models import Competence, Evidence, Requirement
from lms.competence.services import competences as competence_services
from lms.competence.services import evidence as services
from lms.competence.services import requirements as requirement_services
from lms.people.demo.people import DEMO_LOGINS, MUNICIPALITY, demo_people, demo_roster
from lms.people.models import JobCategory, OrgUnit, Person

SIGNS = "BEKYMRINGSTEGN"
PASSING_ON = "VIDEREGIVELSE"

# (code, name, description, validity in months)
COMPETENCES = [
    (
        SIGNS,
        "Kender bekymringstegn",
        "Kender tegnene på, at et barn, en ung eller en voksen er ved at blive radikaliseret "
        "eller optaget af ekstremisme, og ved hvad der ikke er et tegn.",
        24,
    ),
    (
        PASSING_ON,
        "Ved hvordan en bekymring videregives",
        "Ved hvem man taler med om en bekymring (leder, Infohus, politi 114 eller 112 ved akut "
        "fare) og hvordan den videregives.",
        24,
    ),
]

# One in this many front-line employees has evidence in the demo.
EVIDENCE_EVERY = 6
SOURCES = [Evidence.Source.MEETING, Evidence.Source.COURSE, Evidence.Source.EXTERNAL_CDE]
EMPLOYEE_LOGIN = next(login for login in DEMO_LOGINS if login.email.startswith("medarbejder@"))


@dataclass
class CompetenceDemoResult:
    competences_created: int = 0
    requirements_created: int = 0
    evidence_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.competences_created or self.requirements_created or self.evidence_created)

    def summary(self) -> str:
        return (
            f"{self.competences_created} competences, {self.requirements_created} requirements, "
            f"{self.evidence_created} pieces of evidence created"
        )


def _evidence_plan(today: dt.date, competences: dict[str, Competence]):
    """(person, competence, source, reference, achieved on) for the demo evidence.

    The people are chosen from the demo roster as generated (every EVIDENCE_EVERY-th front-line
    entry of the municipality's own staff), never by a query of the Person table: people a user
    adds, with or without an employee number, must not shift the choice."""
    chosen = [
        (index, entry)
        for index, entry in enumerate(
            e
            for e in demo_roster()
            if e.frontline and e.employee_number != EMPLOYEE_LOGIN.employee_number
        )
        if index % EVIDENCE_EVERY == 0
    ]
    people = {p.employee_number: p for p in demo_people(entry for _i, entry in chosen)}
    for index, entry in chosen:
        person = people.get(entry.employee_number)
        if person is None:
            continue
        # Spread over the last 30 months: most valid, some expiring soon, some expired.
        achieved = today - dt.timedelta(days=(index * 37) % 900 + 1)
        source = SOURCES[index % len(SOURCES)]
        for code in (SIGNS, PASSING_ON) if index % 4 else (SIGNS,):
            yield (
                person,
                competences[code],
                source,
                f"demo:{code}:{person.employee_number}",
                achieved,
            )

    # The employee login: one valid, one expiring within the 90 days.
    employee = Person.objects.get(employee_number=EMPLOYEE_LOGIN.employee_number)
    number = employee.employee_number
    yield (
        employee,
        competences[SIGNS],
        Evidence.Source.MEETING,
        f"demo:{SIGNS}:{number}",
        today - dt.timedelta(days=120),
    )
    expiring = services.add_months(today, -competences[PASSING_ON].validity_months)
    yield (
        employee,
        competences[PASSING_ON],
        Evidence.Source.EXTERNAL_CDE,
        f"demo:{PASSING_ON}:{number}",
        expiring + dt.timedelta(days=40),
    )


def competence_demo_load(*, today: dt.date | None = None) -> CompetenceDemoResult:
    """Needs the demo organisation and roster (lms.people.demo.people) loaded first."""
    today = today or timezone.localdate()
    result = CompetenceDemoResult()
    with transaction.atomic():
        municipality = OrgUnit.objects.get(code=MUNICIPALITY)
        competences: dict[str, Competence] = {}
        for code, name, description, months in COMPETENCES:
            competence = Competence.objects.filter(code=code).first()
            if competence is None:
                # The demo municipality's own: its coordinators keep them.
                competence = competence_services.competence_create(
                    code=code,
                    name=name,
                    description=description,
                    validity_months=months,
                    owner=municipality,
                )
                result.competences_created += 1
            competences[code] = competence

        frontline = list(JobCategory.objects.filter(is_frontline=True))
        for competence in competences.values():
            if not Requirement.objects.filter(
                competence=competence, org_unit=municipality
            ).exists():
                requirement_services.requirement_create(
                    competence=competence, org_unit=municipality, job_categories=frontline
                )
                result.requirements_created += 1

        recorded = set(
            Evidence.objects.filter(source_reference__startswith="demo:").values_list(
                "source_reference", flat=True
            )
        )
        for person, competence, source, reference, achieved in _evidence_plan(today, competences):
            if reference in recorded:
                continue
            services.evidence_record(
                person=person,
                competence=competence,
                source=source,
                source_reference=reference,
                achieved_on=achieved,
            )
            result.evidence_created += 1
    return result
