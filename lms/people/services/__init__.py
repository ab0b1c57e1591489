"""Every change to the organisation tree, the roster and role assignments, one module per
capability: org_units, job_categories, people (the roster, leaving, anonymisation),
role_assignments; the imports (roster_import, org_unit_import) and identity linking (identity).

Each function is keyword-only, checks the access policy when an acting user (`by`) is given, and
writes Wagtail's audit log so that staff see the change in the admin's history. Log entries never
carry names or email addresses (only ids and field names): they outlive anonymisation.

Callers use `from lms.people import services` and `services.<thing>_<verb>(...)`.
"""

from lms.people.services.job_categories import *  # noqa: F403
from lms.people.services.org_units import *  # noqa: F403
from lms.people.services.people import *  # noqa: F403
from lms.people.services.role_assignments import *  # noqa: F403
