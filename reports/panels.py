"""The steering group's panel on the admin home: where the coverage dashboards and the half-year
report will live once this app has them."""

from __future__ import annotations

from wagtail.admin.ui.components import Component

from lms.people import policy
from lms.people.models import Role


class CoveragePanel(Component):
    name = "coverage"
    order = 90
    template_name = "reports/admin/coverage_panel.html"


def panels_for(request) -> list[Component]:
    if Role.STEERING_GROUP in policy.roles(request.user):
        return [CoveragePanel()]
    return []
