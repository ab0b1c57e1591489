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

# Every join is an equality, so the planner can hash it: a unit's ancestors are the prefixes of
# its path (one per depth that occurs in the tree), never a LIKE between two columns.
_INSERT = """
INSERT INTO reports_coveragecell
    (org_unit_id, job_category_id, competence_id, external,
     required, valid, expiring, expired, missing, computed_at)
WITH levels AS (
    SELECT DISTINCT depth FROM people_orgunit
),
ancestry AS (
    SELECT u.id AS org_unit_id, a.id AS ancestor_id, a.kind AS ancestor_kind
    FROM people_orgunit u
    JOIN levels d ON d.depth <= u.depth
    JOIN people_orgunit a ON a.path = substr(u.path, 1, %(steplen)s * d.depth)
    WHERE 1 = 1 {scope}
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
    -- Each required person and competence once, with their status from their best live
    -- evidence achieved by today: 1 valid, 2 expiring, 3 expired, 4 missing. One probe of the
    -- partial covering index on live evidence per pair (an index-only scan on PostgreSQL);
    -- MATERIALIZED, so that the four counts below read the status instead of probing again.
    SELECT p.org_unit_id, p.job_category_id, k.competence_id,
           (SELECT CASE
                       WHEN COUNT(*) = 0 THEN 4
                       WHEN MAX(CASE WHEN e.expires_on IS NULL THEN 1 ELSE 0 END) = 1
                            OR MAX(e.expires_on) > %(soon)s THEN 1
                       WHEN MAX(e.expires_on) >= %(today)s THEN 2
                       ELSE 3
                   END
            FROM competence_evidence e
            WHERE e.person_id = p.id AND e.competence_id = k.competence_id
              AND e.voided_at IS NULL AND e.achieved_on <= %(today)s) AS status
    FROM people_person p
    JOIN covering k ON k.org_unit_id = p.org_unit_id AND k.jobcategory_id = p.job_category_id
    WHERE p.active AND p.anonymised_at IS NULL {people_scope}
),
external_units AS (
    SELECT DISTINCT org_unit_id FROM ancestry
    WHERE ancestor_kind IN (%(institution)s, %(partner)s)
)
SELECT a.org_unit_id, a.job_category_id, a.competence_id,
       CASE WHEN a.org_unit_id IN (SELECT org_unit_id FROM external_units)
            THEN %(true)s ELSE %(false)s END,
       COUNT(*),
       SUM(CASE WHEN a.status = 1 THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.status = 2 THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.status = 3 THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.status = 4 THEN 1 ELSE 0 END),
       %(now)s
FROM applies a
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
        "steplen": OrgUnit.steplen,
        "true": True,
        "false": False,
    }
    if org_units is None:
        insert_scope, delete_scope, people_scope = "", "1 = 1", ""
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
        # Said again for the people, so that a subtree reads its own by the unit index.
        people_scope = f"AND p.org_unit_id IN (SELECT u.id FROM people_orgunit u WHERE {either})"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            # The country's requirement coverage (units x competences x job categories) and
            # its people are hashed in memory rather than spilled to disk; this transaction only.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(_DELETE.format(scope=delete_scope), params)
        cursor.execute(_INSERT.format(scope=insert_scope, people_scope=people_scope), params)
        written = cursor.rowcount
        if org_units is None and connection.vendor == "postgresql":
            # Every row was replaced: fresh statistics, so the dashboards' reads keep their
            # index plans rather than waiting for autovacuum to notice.
            cursor.execute("ANALYZE reports_coveragecell")
    return written
