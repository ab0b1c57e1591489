"""Keeps the coverage trend (reports.models.CoverageTrendCell) current.

trend_refresh computes each of the action plan's half-years that have begun: an ended half-year
once, as of its last day (its rows are final; a later run skips it), and the current one as of
today with every coverage refresh (the beat task reports.coverage_refresh). Each half-year is one
DELETE and one INSERT ... SELECT: the database decides, per person required to hold a competence
on that day, whether they held valid evidence then, and counts per unit, job category and
competence. No row of a person reaches Python.

On the day D a half-year is computed as of, a person counts when they had joined (their roster
row was first imported by the end of D: the roster carries no start date) and had not left
(left_on after D, or none); evidence is valid when not voided, achieved on or before D and
expiring on or after D (or never). Requirements are today's, as in the coverage aggregate.

A recompute of figures derived from the ledger changes no one's data: no acting user, no audit.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from lms.people.models import OrgUnit
from reports.lib.periods import HalfYear, plan_half_years
from reports.models import CoverageTrendCell

_LOCK_KEY = 0x5452454E  # "TREN"

_INSERT = """
INSERT INTO reports_coveragetrendcell
    (period_start, as_of, org_unit_id, job_category_id, competence_id, external,
     required, valid, computed_at)
WITH levels AS (
    SELECT DISTINCT depth FROM people_orgunit
),
ancestry AS (
    SELECT u.id AS org_unit_id, a.id AS ancestor_id, a.kind AS ancestor_kind
    FROM people_orgunit u
    JOIN levels d ON d.depth <= u.depth
    JOIN people_orgunit a ON a.path = substr(u.path, 1, %(steplen)s * d.depth)
),
covering AS (
    SELECT DISTINCT s.org_unit_id, r.competence_id, rj.jobcategory_id
    FROM ancestry s
    JOIN competence_requirement r ON r.org_unit_id = s.ancestor_id
    JOIN competence_competence c ON c.id = r.competence_id
    JOIN competence_requirement_job_categories rj ON rj.requirement_id = r.id
    WHERE c.active
),
applies AS MATERIALIZED (
    SELECT p.org_unit_id, p.job_category_id, k.competence_id,
           CASE WHEN EXISTS (
               SELECT 1 FROM competence_evidence e
               WHERE e.person_id = p.id AND e.competence_id = k.competence_id
                 AND e.voided_at IS NULL AND e.achieved_on <= %(as_of)s
                 AND (e.expires_on IS NULL OR e.expires_on >= %(as_of)s)
           ) THEN 1 ELSE 0 END AS valid
    FROM people_person p
    JOIN covering k ON k.org_unit_id = p.org_unit_id AND k.jobcategory_id = p.job_category_id
    WHERE p.created_at < %(joined_before)s
      AND (p.left_on IS NULL OR p.left_on > %(as_of)s)
),
external_units AS (
    SELECT DISTINCT org_unit_id FROM ancestry
    WHERE ancestor_kind IN (%(institution)s, %(partner)s)
)
SELECT %(period_start)s, %(as_of)s, a.org_unit_id, a.job_category_id, a.competence_id,
       CASE WHEN a.org_unit_id IN (SELECT org_unit_id FROM external_units)
            THEN %(true)s ELSE %(false)s END,
       COUNT(*), SUM(a.valid), %(now)s
FROM applies a
GROUP BY a.org_unit_id, a.job_category_id, a.competence_id
"""

_DELETE = "DELETE FROM reports_coveragetrendcell WHERE period_start = %(period_start)s"


def trend_period_refresh(*, period: HalfYear, as_of: dt.date) -> int:
    """Replace one half-year's rows with its figures as of `as_of`; the number of rows written."""
    now = timezone.now()
    # Joined by the end of `as_of` in Copenhagen: first imported before the next day began.
    joined_before = timezone.make_aware(
        dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time())
    )
    params = {
        "period_start": period.start,
        "as_of": as_of,
        "joined_before": connection.ops.adapt_datetimefield_value(joined_before),
        "now": connection.ops.adapt_datetimefield_value(now),
        "institution": OrgUnit.Kind.INSTITUTION.value,
        "partner": OrgUnit.Kind.PARTNER.value,
        "steplen": OrgUnit.steplen,
        "true": True,
        "false": False,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_DELETE, params)
        cursor.execute(_INSERT, params)
        return cursor.rowcount


def trend_refresh(*, today: dt.date | None = None) -> list[HalfYear]:
    """Compute the half-years not yet final (ended ones once, the current one always); the
    half-years computed."""
    today = today or timezone.localdate()
    periods = plan_half_years(today)
    final = set(
        CoverageTrendCell.objects.filter(
            period_start__in=[p.start for p in periods if p.is_closed(today)]
        )
        .values_list("period_start", "as_of")
        .distinct()
    )
    done = []
    for period in periods:
        if period.is_closed(today) and (period.start, period.last_day) in final:
            continue
        trend_period_refresh(period=period, as_of=period.as_of(today))
        done.append(period)
    return done
