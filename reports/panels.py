"""The steering group's panel on the admin home: coverage against requirements per competence for
its area, when the figures were computed, and the way into the full overview ("Overblik")."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from wagtail.admin.ui.components import Component

from lms.people import policy
from lms.people.models import Role
from reports import access
from reports.selectors.coverage import Filters, coverage_overview


class CoveragePanel(Component):
    name = "coverage"
    order = 90
    template_name = "reports/admin/coverage_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from reports.viewsets.coverage import _percent, part_labels

        user = self.request.user
        unit = access.scope_units(user).first()
        from reports.viewsets.halfyear import halfyear_context

        context = {"unit": unit, "overview_url": reverse("reports_coverage:index")}
        context.update(halfyear_context(self.request))
        if unit is None:
            return context
        overview = coverage_overview(
            unit=unit, filters=Filters(), suppressed=not access.may_see_names(user, unit)
        )
        for row in overview.by_competence:
            row.share_text = _percent(row.share)
            row.shown = row.cells()
        context.update(
            overview=overview,
            parts=part_labels(),
            computed_at=timezone.localtime(overview.computed_at) if overview.computed_at else None,
        )
        return context


def panels_for(request) -> list[Component]:
    if Role.STEERING_GROUP in policy.roles(request.user) and access.may_view(request.user):
        return [CoveragePanel(request)]
    return []
