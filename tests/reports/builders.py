"""Builders of the hand-computed coverage fixture (`coverage_build`), shared by tests/reports and
the browser test."""

import datetime as dt

from django.utils import timezone

from lms.competence.models import Evidence
from lms.competence.services import evidence as evidence_services
from tests.factories import CompetenceFactory, JobCategoryFactory, PersonFactory, requirement

# The pages compute as of the real today, so the fixture is dated from it.
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def hold(person, competence, *, expires_on=None, achieved_on=None, voided=False):
    """Evidence with a chosen expiry, written directly (the service computes it from validity)."""
    evidence = Evidence.objects.create(
        person=person,
        competence=competence,
        source=Evidence.Source.MANUAL,
        source_reference=f"test:{Evidence.objects.count()}",
        achieved_on=achieved_on or dt.date(2025, 1, 1),
        expires_on=expires_on,
    )
    if voided:
        evidence_services.evidence_void(evidence=evidence, reason="Test")
    return evidence


def jobs_make():
    return {
        "teacher": JobCategoryFactory(code="TEACHER", name="Lærer"),
        "pedagogue": JobCategoryFactory(code="PEDAGOGUE", name="Pædagog"),
        "office": JobCategoryFactory(code="OFFICE", name="Administrativ", is_frontline=False),
    }


def competences_make():
    return {
        "signs": CompetenceFactory(code="SIGNS", name="Kender bekymringstegn", validity_months=24),
        "pass_on": CompetenceFactory(
            code="PASS_ON", name="Ved hvordan en bekymring videregives", validity_months=None
        ),
        # Nobody is required to hold it: its evidence counts nowhere.
        "other": CompetenceFactory(code="OTHER", name="Andet", validity_months=12),
    }


def coverage_build(tree, jobs, competences):
    """HJ requires signs of teachers and pedagogues, pass_on of BFU's teachers; FR signs of
    teachers. Expected cells (valid, expiring, expired, missing):

    HJ-SKOLE teacher signs   (2, 2, 1, 3)  t1 valid, t2 expiry on day 90, t3 on the last day,
                                           t4 expired yesterday, t5 expired + never-expiring,
                                           t6 left (not counted), t7 voided, t8 other only,
                                           t9 achieved after today (missing)
    HJ-SKOLE teacher pass_on (1, 0, 0, 7)
    HJ-SKOLE pedagogue signs (1, 0, 0, 0)
    HJ-GYM teacher signs     (1, 0, 0, 1)  external
    HJ teacher signs         (0, 0, 0, 1)  placed on the municipality itself
    FR-SKOLE teacher signs   (1, 0, 0, 0)
    An office worker with evidence is required nothing: no cell.
    """
    signs, pass_on, other = competences["signs"], competences["pass_on"], competences["other"]
    teacher, pedagogue = jobs["teacher"], jobs["pedagogue"]
    requirement(competence=signs, org_unit=tree["HJ"], job_categories=[teacher, pedagogue])
    requirement(competence=pass_on, org_unit=tree["HJ-BFU"], job_categories=[teacher])
    requirement(competence=signs, org_unit=tree["FR"], job_categories=[teacher])

    school = tree["HJ-SKOLE"]

    def person(name, unit=school, job=teacher, **fields):
        return PersonFactory(name=name, org_unit=unit, job_category=job, **fields)

    people = {}
    people["t1"] = t1 = person("Anna Andersen")
    hold(t1, signs, expires_on=TODAY + 91 * DAY)
    hold(t1, pass_on)
    people["t2"] = t2 = person("Bent Berg")
    hold(t2, signs, expires_on=TODAY + 90 * DAY)
    hold(t2, pass_on, voided=True)
    people["t3"] = t3 = person("Carl Clausen")
    hold(t3, signs, expires_on=TODAY)
    people["t4"] = t4 = person("Dorte Dahl")
    hold(t4, signs, expires_on=TODAY - DAY)
    people["t5"] = t5 = person("Erik Eriksen")
    hold(t5, signs, expires_on=TODAY - 100 * DAY)
    hold(t5, signs)
    people["t6"] = t6 = person("Frida Fisker", active=False, left_on=TODAY - 10 * DAY)
    hold(t6, signs, expires_on=TODAY + 400 * DAY)
    people["t7"] = t7 = person("Gorm Gram")
    hold(t7, signs, expires_on=TODAY + 400 * DAY, voided=True)
    people["t8"] = t8 = person("Hanne Holm")
    hold(t8, other, expires_on=TODAY + 400 * DAY)
    people["t9"] = t9 = person("Ib Iversen")
    hold(t9, signs, achieved_on=TODAY + DAY, expires_on=TODAY + 700 * DAY)
    people["p1"] = p1 = person("Jens Juul", job=pedagogue)
    hold(p1, signs, expires_on=TODAY + 400 * DAY)
    people["o1"] = o1 = person("Karen Krog", job=jobs["office"])
    hold(o1, signs, expires_on=TODAY + 400 * DAY)
    people["g1"] = g1 = person("Lars Lund", unit=tree["HJ-GYM"])
    hold(g1, signs, expires_on=TODAY + 400 * DAY)
    people["g2"] = person("Mette Mikkelsen", unit=tree["HJ-GYM"])
    people["m1"] = person("Niels Nørgaard", unit=tree["HJ"])
    people["f1"] = f1 = person("Ole Olsen", unit=tree["FR-SKOLE"])
    hold(f1, signs, expires_on=TODAY + 400 * DAY)
    return {"tree": tree, "jobs": jobs, "competences": competences, "people": people}
