"""Keeps the coverage aggregate (reports.models.CoverageCell) current.

coverage_refresh replaces the rows of the given subtrees (or of the whole country) with one
DELETE and one INSERT ... SELECT: the database derives every person's status per required
competence and counts them per unit, job category and competence. No row of a person reaches
Python. The beat task `reports.coverage_refresh` runs it every few minutes (CELERY_BEAT_SCHEDULE),
so the dashboards read figures at most that old, and show when they were computed.

The status rules are the competence ledger's (lms.competence.selectors.status): a requirement
applies to an active, not anonymised person whose unit lies in the requirement's subtree and whose
job category it names, for an active competence; the person's best non-voided evidence achieved by
today decides: valid (never expires, or later than 90 days from today), expiring (today up to 90
days), expired (before today), missing (none). A person counts once per competence however many
requirements name them.

A recompute of figures derived from the ledger changes no one's data: it takes no acting user and
writes no audit entry (it runs every few minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from lms.competence.selectors.status import EXPIRING_WITHIN_DAYS
from lms.people.models import OrgUnit

# pg_advisory_xact_lock key: two refreshes at once would both delete and then both insert.
_LOCK_KEY = 0x434F5645  # "COVE"

_INSERT = """
INSERT INTO reports_coveragecell
    (org_unit_id, job_category_id, competence_id, external,
     required, valid, expiring, expired, missing, computed_at)
WITH applies AS (
    SELECT DISTINCT p.id AS person_id, p.org_unit_id, p.job_category_id, r.competence_id
    FROM people_person p
    JOIN people_orgunit u ON u.id = p.org_unit_id
    JOIN competence_requirement_job_categories rj ON rj.jobcategory_id = p.job_category_id
    JOIN competence_requirement r ON r.id = rj.requirement_id
    JOIN competence_competence c ON c.id = r.competence_id
    JOIN people_orgunit ru ON ru.id = r.org_unit_id
    WHERE p.active AND p.anonymised_at IS NULL AND c.active
      AND u.path LIKE ru.path || '%%'
      {scope}
),
best AS (
    SELECT e.person_id, e.competence_id,
           MAX(CASE WHEN e.expires_on IS NULL THEN 1 ELSE 0 END) AS never,
           MAX(e.expires_on) AS latest
    FROM competence_evidence e
    WHERE e.voided_at IS NULL AND e.achieved_on <= %(today)s
      AND EXISTS (SELECT 1 FROM applies a
                  WHERE a.person_id = e.person_id AND a.competence_id = e.competence_id)
    GROUP BY e.person_id, e.competence_id
),
external_units AS (
    SELECT DISTINCT u.id
    FROM people_orgunit u
    JOIN people_orgunit x ON u.path LIKE x.path || '%%'
    WHERE x.kind IN (%(institution)s, %(partner)s)
)
SELECT a.org_unit_id, a.job_category_id, a.competence_id,
       CASE WHEN a.org_unit_id IN (SELECT id FROM external_units) THEN %(true)s ELSE %(false)s END,
       COUNT(*),
       SUM(CASE WHEN b.never = 1 OR b.latest > %(soon)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN b.never = 0 AND b.latest >= %(today)s AND b.latest <= %(soon)s
                THEN 1 ELSE 0 END),
       SUM(CASE WHEN b.never = 0 AND b.latest < %(today)s THEN 1 ELSE 0 END),
       SUM(CASE WHEN b.person_id IS NULL THEN 1 ELSE 0 END),
       %(now)s
FROM applies a
LEFT JOIN best b ON b.person_id = a.person_id AND b.competence_id = a.competence_id
GROUP BY a.org_unit_id, a.job_category_id, a.competence_id
"""

_DELETE = """
DELETE FROM reports_coveragecell
WHERE org_unit_id IN (SELECT u.id FROM people_orgunit u WHERE {scope})
"""


def _minimal_paths(units: Iterable[OrgUnit]) -> list[str]:
    paths: list[str] = []
    for path in sorted({unit.path for unit in units}):
        if not any(path.startswith(kept) for kept in paths):
            paths.append(path)
    return paths


def coverage_refresh(
    *, org_units: Iterable[OrgUnit] | None = None, today: dt.date | None = None
) -> int:
    """Recompute the aggregate for the subtrees of `org_units` (every unit when None), as of
    `today`; returns the number of rows written. Two statements in one transaction, so a reader
    sees the old rows or the new ones, never a subtree half done."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    params: dict = {
        "today": today,
        "soon": today + dt.timedelta(days=EXPIRING_WITHIN_DAYS),
        "now": now,
        "institution": OrgUnit.Kind.INSTITUTION.value,
        "partner": OrgUnit.Kind.PARTNER.value,
        "true": True,
        "false": False,
    }
    if org_units is None:
        insert_scope, delete_scope = "", "1 = 1"
    else:
        paths = _minimal_paths(org_units)
        if not paths:
            return 0
        likes = []
        for index, path in enumerate(paths):
            params[f"path{index}"] = path + "%"
            likes.append(f"u.path LIKE %(path{index})s")
        either = "(" + " OR ".join(likes) + ")"
        insert_scope, delete_scope = f"AND {either}", either
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cursor.execute(_DELETE.format(scope=delete_scope), params)
        cursor.execute(_INSERT.format(scope=insert_scope), params)
        written = cursor.rowcount
    return written
