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

from reports.lib.periods import HalfYear, plan_half_years
from reports.lib.requirements import EXTERNAL, covering_ctes, covering_params
from reports.models import CoverageTrendCell

_LOCK_KEY = 0x5452454E  # "TREN"

_INSERT = """
INSERT INTO reports_coveragetrendcell
    (period_start, as_of, org_unit_id, job_category_id, competence_id, external,
     required, valid, computed_at)
WITH {covering},
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
)
SELECT %(period_start)s, %(as_of)s, a.org_unit_id, a.job_category_id, a.competence_id,
       {external},
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
        **covering_params(),
        "period_start": period.start,
        "as_of": as_of,
        "joined_before": connection.ops.adapt_datetimefield_value(joined_before),
        "now": connection.ops.adapt_datetimefield_value(now),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_DELETE, params)
        cursor.execute(_INSERT.format(covering=covering_ctes(), external=EXTERNAL), params)
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
