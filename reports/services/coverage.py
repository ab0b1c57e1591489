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
from reports.lib.requirements import EXTERNAL, covering_ctes, covering_params

# pg_advisory_xact_lock key: two refreshes at once would both delete and then both insert.
_LOCK_KEY = 0x434F5645  # "COVE"

# The requirements' coverage and the external units come from reports.lib.requirements, which
# the trend shares; {covering} is filled with them, scoped to the subtrees refreshed.
_INSERT = """
INSERT INTO reports_coveragecell
    (org_unit_id, job_category_id, competence_id, external,
     required, valid, expiring, expired, missing, computed_at)
WITH {covering},
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
)
SELECT a.org_unit_id, a.job_category_id, a.competence_id,
       {external},
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


def _insert(scope: str, people_scope: str) -> str:
    """The INSERT ... SELECT for the units `scope` ("AND ..." on `u`) and the people
    `people_scope` ("AND ..." on `p`) name; both empty for the whole country."""
    return _INSERT.format(
        covering=covering_ctes(scope), external=EXTERNAL, people_scope=people_scope
    )


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
        **covering_params(),
        "today": today,
        "soon": today + dt.timedelta(days=EXPIRING_WITHIN_DAYS),
        "now": now,
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
        cursor.execute(_insert(insert_scope, people_scope), params)
        written = cursor.rowcount
        if org_units is None and connection.vendor == "postgresql":
            # Every row was replaced: fresh statistics, so the dashboards' reads keep their
            # index plans rather than waiting for autovacuum to notice.
            cursor.execute("ANALYZE reports_coveragecell")
    return written
