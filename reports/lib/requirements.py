"""The SQL the coverage aggregate and the coverage trend both start from: which units,
competences and job categories today's requirements cover, and which units are external.

`covering_ctes(scope)` is the first common table expressions of their INSERT ... SELECT:

- `levels`: the depths that occur in the tree;
- `ancestry`: every unit (limited by `scope`, a condition on `u`) with each of its ancestors,
  itself included: the prefixes of its path, so that every join is an equality the planner can
  hash, never a LIKE between two columns;
- `covering`: each (unit, competence, job category) an active competence's requirement on the
  unit or an ancestor names, once;
- `external_units`: the units that are, or lie below, an external institution or partner.

`EXTERNAL` is the select's expression for a row `a` of a unit: whether it is external. Both need
the parameters of `covering_params()`. Text only: nothing here reads the database.
"""

from __future__ import annotations

from lms.people.models import OrgUnit

_COVERING_CTES = """
levels AS (
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
external_units AS (
    SELECT DISTINCT org_unit_id FROM ancestry
    WHERE ancestor_kind IN (%(institution)s, %(partner)s)
)"""

EXTERNAL = """CASE WHEN a.org_unit_id IN (SELECT org_unit_id FROM external_units)
            THEN %(true)s ELSE %(false)s END"""


def covering_ctes(scope: str = "") -> str:
    """The common table expressions above, without the leading WITH; `scope` ("AND ...", on the
    unit `u`) limits the units, empty for all of them."""
    return _COVERING_CTES.format(scope=scope)


def covering_params() -> dict:
    """The parameters `covering_ctes()` and `EXTERNAL` name."""
    return {
        "institution": OrgUnit.Kind.INSTITUTION.value,
        "partner": OrgUnit.Kind.PARTNER.value,
        "steplen": OrgUnit.steplen,
        "true": True,
        "false": False,
    }
