"""The hand-computed trend fixture (`trend_build`): people who joined and left during the action
plan, evidence that expires on a half-year's last day, voided evidence; shared by tests/reports
and the browser test. The plan starts 1 January 2025 (the test settings' default); the figures
are computed as of TODAY, 30 November 2026.

HJ-SKOLE, teachers, "signs" (required of HJ's teachers); as of each half-year's last day:

    person  joined            left        evidence (achieved - expires)      25H1 25H2 26H1 26H2
    a       2024-01-01                    2025-01-10 - 2025-12-31            V    V    -    -
    b       2024-01-01        2025-12-31  2024-06-01 - never                 V    .    .    .
    c       2025-09-01                    2025-10-01 - never                 .    V    V    V
    d       2024-01-01                    voided                             -    -    -    -
    e       2024-01-01                    2026-07-01 - 2028-07-01            -    -    -    V
    f       2024-01-01                    2023-06-29 - 2025-06-29; "other"   -    -    -    -
    g       2025-06-30 23:30                                                 -    -    -    -
    h       2025-07-01 00:10                                                 .    -    -    -
    (V valid, - required without valid evidence, . not counted; times in Copenhagen)

    required / valid:                                                        6/2  7/2  7/1  7/2

HJ-GYM (external): one teacher, joined 2024, valid for ever: 1/1 in every half-year.
FR-SKOLE: one teacher, valid for ever: 1/1 (another municipality).
"""

import datetime as dt
import zoneinfo

from lms.people.models import Person
from tests.factories import PersonFactory, requirement
from tests.reports.builders import hold

TODAY = dt.date(2026, 11, 30)
CPH = zoneinfo.ZoneInfo("Europe/Copenhagen")
EXPECTED_SCHOOL = {
    dt.date(2025, 1, 1): (6, 2),
    dt.date(2025, 7, 1): (7, 2),
    dt.date(2026, 1, 1): (7, 1),
    dt.date(2026, 7, 1): (7, 2),
}


def joined(person, when: dt.datetime) -> None:
    Person.objects.filter(pk=person.pk).update(created_at=when)


def trend_build(tree, jobs, competences):
    signs, other = competences["signs"], competences["other"]
    teacher = jobs["teacher"]
    requirement(competence=signs, org_unit=tree["HJ"], job_categories=[teacher])
    requirement(competence=signs, org_unit=tree["FR"], job_categories=[teacher])
    early = dt.datetime(2024, 1, 1, 8, 0, tzinfo=CPH)

    def person(name, *, unit="HJ-SKOLE", when=early, **fields):
        made = PersonFactory(name=name, org_unit=tree[unit], job_category=teacher, **fields)
        joined(made, when)
        return made

    d = dt.date
    people = {}
    people["a"] = a = person("Anna Andersen")
    hold(a, signs, achieved_on=d(2025, 1, 10), expires_on=d(2025, 12, 31))
    people["b"] = b = person("Bent Berg", active=False, left_on=d(2025, 12, 31))
    hold(b, signs, achieved_on=d(2024, 6, 1))
    people["c"] = c = person("Carl Clausen", when=dt.datetime(2025, 9, 1, 9, 0, tzinfo=CPH))
    hold(c, signs, achieved_on=d(2025, 10, 1))
    people["d"] = dd = person("Dorte Dahl")
    hold(dd, signs, achieved_on=d(2024, 1, 1), voided=True)
    people["e"] = e = person("Erik Eriksen")
    hold(e, signs, achieved_on=d(2026, 7, 1), expires_on=d(2028, 7, 1))
    people["f"] = f = person("Frida Fisker")
    hold(f, signs, achieved_on=d(2023, 6, 29), expires_on=d(2025, 6, 29))
    hold(f, other, achieved_on=d(2024, 1, 1))
    people["g"] = person("Gorm Gram", when=dt.datetime(2025, 6, 30, 23, 30, tzinfo=CPH))
    people["h"] = person("Hanne Holm", when=dt.datetime(2025, 7, 1, 0, 10, tzinfo=CPH))
    people["x"] = x = person("Lars Lund", unit="HJ-GYM")
    hold(x, signs, achieved_on=d(2024, 1, 1))
    people["y"] = y = person("Ole Olsen", unit="FR-SKOLE")
    hold(y, signs, achieved_on=d(2024, 1, 1))
    return {"tree": tree, "jobs": jobs, "competences": competences, "people": people}


def trend_more(tree, jobs, competences):
    """Six more teachers at HJ-SKOLE valid for ever and one without evidence, all there since
    2024: large enough groups that the steering group sees HJ's shares. HJ then has, per
    half-year (required / valid): 14/9, 15/9, 15/8, 15/9 (64,3 / 60,0 / 53,3 / 60,0 pct.)."""
    early = dt.datetime(2024, 1, 1, 8, 0, tzinfo=CPH)
    signs, teacher = competences["signs"], jobs["teacher"]
    for index in range(7):
        person = PersonFactory(
            name=f"Lærer {index}", org_unit=tree["HJ-SKOLE"], job_category=teacher
        )
        joined(person, early)
        if index < 6:
            hold(person, signs, achieved_on=dt.date(2024, 1, 1))
