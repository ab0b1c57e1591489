"""The coverage dashboard in the Wagtail admin ("Overblik"): coverage against requirements for a
scope, by competence, by unit (drill down by clicking) and by job category; its XLSX export; and,
for those who may see names, the people behind a gap.

Every filter is in the URL (unit, competence, job_category, reach), so a view can be bookmarked
and shared. A unit outside the user's scope is 404: nobody sees another municipality's figures.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from urllib.parse import urlencode

import plotly.graph_objects as go
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from lms import display
from lms.competence.models import Competence
from lms.parsing import parse_id, parse_id_or_none
from lms.people.models import JobCategory, OrgUnit
from lms.people.views.guards import policy_required
from reports import access
from reports.lib.tables import WITHHELD
from reports.selectors import coverage as selectors
from reports.selectors.coverage import EXTERNAL, INTERNAL, Filters, Overview, Row
from reports.viewsets import sections as overview_sections

# One colour-blind-safe palette (Okabe-Ito), in the order of PARTS.
PALETTE = ("#0072B2", "#56B4E9", "#E69F00", "#D55E00")


def part_labels() -> list[str]:
    return [_("Valid"), _("Expiring within 90 days"), _("Expired"), _("Missing")]


def _int_param(request, name: str) -> int | None:
    """The id in the query string, None when absent; a malformed one is a 400 (lms.parsing)."""
    value = request.GET.get(name, "")
    return parse_id(value) if value else None


def _filter_param(request, name: str) -> int | None:
    """A filter's id: nonsense is ignored, as the admin's list filters do (lms.parsing)."""
    return parse_id_or_none(request.GET.get(name, ""))


def _scope(request) -> OrgUnit:
    """The unit asked for (404 outside the user's view), else the top of the user's scope; the
    views ask access.may_view first (@policy_required)."""
    pk = _int_param(request, "unit")
    if pk is not None:
        unit = get_object_or_404(OrgUnit, pk=pk)
        if not access.may_view(request.user, unit):
            raise Http404
        return unit
    unit = access.scope_units(request.user).first()
    if unit is None:
        raise PermissionDenied
    return unit


def _filters(request) -> Filters:
    reach = request.GET.get("reach", "")
    return Filters(
        job_category=_filter_param(request, "job_category"),
        reach=reach if reach in (INTERNAL, EXTERNAL) else "",
        competence=_filter_param(request, "competence"),
    )


def _query(scope: OrgUnit | None, filters: Filters, **changes) -> str:
    """The query string of the page with `filters` on `scope`, with `changes` (unit=pk too)."""
    values = {
        "unit": scope.pk if scope else None,
        "competence": filters.competence,
        "job_category": filters.job_category,
        "reach": filters.reach,
        **changes,
    }
    return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _overview(request) -> Overview:
    unit = _scope(request)
    return selectors.coverage_overview(
        unit=unit,
        filters=_filters(request),
        suppressed=not access.may_see_names(request.user, unit),
    )


def _percent(value: float | None) -> str:
    # number_format cuts the decimals off: round first (88.89 reads 88,9, not 88,8).
    return "" if value is None else f"{number_format(round(value, 1), 1)} pct."


def _figure(rows: list[Row], title: str) -> dict:
    """A horizontal stacked bar per row: the share of each status, hidden parts left out."""
    labels = [row.label for row in rows]
    figure = go.Figure()
    for index, (name, colour) in enumerate(zip(part_labels(), PALETTE, strict=True)):
        shares = [row.shares()[index] for row in rows]
        figure.add_bar(
            name=name,
            y=labels,
            x=shares,
            orientation="h",
            marker_color=colour,
            customdata=[getattr(row, "url", "") for row in rows],
            hovertemplate="%{y}: %{x:.1f} pct.<extra>" + name + "</extra>",
        )
    figure.update_layout(
        # No plotly theme: its 6 KB of defaults would travel in every figure.
        template="none",
        title={"text": title},
        barmode="stack",
        separators=",.",
        xaxis={
            "range": [0, 100],
            "ticksuffix": " pct.",
            "title": {"text": _("Share")},
            "gridcolor": "#d0d0d0",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=max(220, 60 + 34 * len(rows)),
        font={"family": "inherit"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return json.loads(figure.to_json())


def _breadcrumbs(request, unit: OrgUnit, filters: Filters) -> list[dict]:
    index = reverse("reports_coverage:index")
    crumbs = [{"url": reverse("wagtailadmin_home"), "label": _("Home")}]
    # The units above the scope that the user may see too, so a drill-down can be walked back.
    for ancestor in unit.get_ancestors():
        if access.may_view(request.user, ancestor):
            crumbs.append({"url": f"{index}?{_query(ancestor, filters)}", "label": ancestor.name})
    crumbs.append({"url": "", "label": unit.name})
    return crumbs


@policy_required(access.may_view)
def index(request):
    overview = _overview(request)
    unit, filters = overview.unit, overview.filters
    base = reverse("reports_coverage:index")
    names = access.may_see_names(request.user, unit) and overview.competence is not None
    gaps = reverse("reports_coverage:gaps")
    # The names behind a unit's or job category's gap are for the competence on show.
    shown_competence = overview.competence.pk if overview.competence else None
    on_show = replace(filters, competence=shown_competence)
    for row in overview.by_unit:
        if not row.is_scope:
            row.url = f"{base}?{_query(None, filters, unit=row.key)}"
        if names:
            row.gaps_url = f"{gaps}?{_query(None, on_show, unit=row.key)}"
    for row in overview.by_job_category:
        row.url = f"{base}?{_query(unit, filters, job_category=row.key)}"
        if names:
            row.gaps_url = f"{gaps}?{_query(unit, on_show, job_category=row.key)}"
    for row in overview.by_competence:
        row.url = f"{base}?{_query(unit, filters, competence=row.key)}"
        if names:
            row.gaps_url = f"{gaps}?{_query(unit, filters, competence=row.key)}"
    title = _("Overview")
    context = {
        "page_title": title,
        "header_title": f"{title}: {unit.name}",
        "header_icon": "table",
        "breadcrumbs_items": _breadcrumbs(request, unit, filters),
        "overview": overview,
        "parts": part_labels(),
        "palette": PALETTE,
        "names": names,
        "children": [row for row in overview.by_unit if not row.is_scope],
        "job_categories": JobCategory.objects.order_by("-is_frontline", "name"),
        "reach_choices": [("", _("Internal and external")), *_reach_labels()],
        "export_url": f"{reverse('reports_coverage:export')}?{_query(unit, filters)}",
        "clear_url": f"{base}?{_query(unit, Filters())}",
        "computed_at": timezone.localtime(overview.computed_at) if overview.computed_at else None,
        "percent": _percent,
    }
    if overview.competence is not None:
        context["unit_figure"] = _figure(
            overview.by_unit, _("%(competence)s by unit") % {"competence": overview.competence}
        )
        context["competence_figure"] = _figure(overview.by_competence, _("By competence"))
    for rows in (overview.by_unit, overview.by_job_category, overview.by_competence):
        for row in rows:
            row.share_text = _percent(row.share)
            row.shown = row.cells()
    if overview.total is not None:
        overview.total.share_text = _percent(overview.total.share)
        overview.total.shown = overview.total.cells()
    # The trend and the half-year report: their own modules (which import this one).
    from reports.viewsets.halfyear import halfyear_context
    from reports.viewsets.trend import trend_context

    context.update(trend_context(request, overview))
    context.update(halfyear_context(request))
    context.update(overview_sections.sections_context(request, unit))
    return TemplateResponse(request, "reports/admin/coverage.html", context)


@policy_required(access.may_view)
def export(request):
    """The page's tables as an XLSX workbook, suppressed as on the page; Danish headers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    overview = _overview(request)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Coverage")[:31]
    bold = Font(bold=True)
    headers = [*part_labels(), _("Required"), _("Coverage (pct.)")]
    computed = display.export_xlsx_datetime(overview.computed_at) if overview.computed_at else None
    filters = overview.filters
    sheet.append([_("Coverage against requirements"), overview.unit.name])
    sheet.append([_("Computed at"), computed])
    if computed is not None:
        sheet.cell(row=2, column=2).number_format = "dd-mm-yyyy hh:mm"
    if filters.job_category:
        category = JobCategory.objects.filter(pk=filters.job_category).first()
        sheet.append([_("Job category"), category.name if category else ""])
    if filters.reach:
        sheet.append([_("Units"), dict(_reach_labels())[filters.reach]])
    sections = [(_("Competence"), _("By competence"), overview.by_competence)]
    if overview.competence is not None:
        sections += [
            (_("Unit"), f"{_('By unit')}: {overview.competence.name}", overview.by_unit),
            (
                _("Job category"),
                f"{_('By job category')}: {overview.competence.name}",
                overview.by_job_category,
            ),
        ]
    for first, heading, rows in sections:
        sheet.append([])
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        columns = [first] + ([_("External")] if first == _("Unit") else []) + headers
        sheet.append(columns)
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in rows:
            share = row.share
            values = [row.label]
            if first == _("Unit"):
                values.append(display.export_bool(row.external))
            values += [*row.cells(), round(share, 1) if share is not None else WITHHELD]
            sheet.append(values)
    sheet.column_dimensions["A"].width = 40
    overview_sections.sections_export(workbook, request, overview.unit)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="daekning-{stamp}.xlsx"'
    return response


def _reach_labels():
    return [(INTERNAL, _("Internal units")), (EXTERNAL, _("External institutions"))]


@policy_required(access.may_view)
def gaps(request):
    """The people behind a gap: one click further from the figures, for those who may see names."""
    unit = _scope(request)
    if not access.may_see_names(request.user, unit):
        raise PermissionDenied
    filters = _filters(request)
    competence = get_object_or_404(Competence, pk=filters.competence or 0)
    people = list(
        selectors.gap_people(
            unit=unit,
            competence=competence,
            job_category=filters.job_category,
            reach=filters.reach,
        )
    )
    title = _("Missing or expiring: %(competence)s") % {"competence": competence.name}
    back = f"{reverse('reports_coverage:index')}?{_query(unit, filters)}"
    crumbs = _breadcrumbs(request, unit, filters)
    crumbs[-1]["url"] = back
    crumbs.append({"url": "", "label": competence.name})
    context = {
        "page_title": title,
        "header_title": f"{title} ({unit.name})",
        "header_icon": "user",
        "breadcrumbs_items": crumbs,
        "people": people,
        "back_url": back,
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "reports/admin/coverage_gaps.html", context)


admin_urlpatterns = [
    path("", index, name="index"),
    path("xlsx/", export, name="export"),
    path("navne/", gaps, name="gaps"),
]


class OverviewMenuItem(MenuItem):
    def is_shown(self, request):
        return access.may_view(request.user)


def menu_item() -> MenuItem:
    return OverviewMenuItem(
        gettext_lazy("Overview"),
        reverse("reports_coverage:index"),
        name="overview",
        icon_name="table",
        order=150,
    )
