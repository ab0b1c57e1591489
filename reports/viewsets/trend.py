"""The coverage trend on the dashboard ("Overblik"): a line per competence over the action
plan's half-years, its table beside it, and its XLSX export. Same scope, filters and suppression
as the coverage tables (reports.viewsets.coverage); the figures come from
reports.selectors.trend."""

from __future__ import annotations

import io
import json

import plotly.graph_objects as go
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lms import display
from reports.documents.halfyear import percent
from reports.lib.tables import WITHHELD
from reports.selectors.coverage import Overview
from reports.selectors.trend import Trend, coverage_trend
from reports.viewsets import coverage as coverage_views

# The legends of the page's coverage tables (reports/admin/coverage.html), in the export too.
LEGEND_COUNTS = gettext_noop(
    "Groups of fewer than 5 people are shown as “<5”, and so is any figure that would give them "
    "away."
)
LEGEND_SHARES = gettext_noop(
    "A coverage share that is not shown, because its group is smaller than 5 or one of its counts "
    "is hidden, reads “–”."
)

# Okabe-Ito, as the coverage charts: colour-blind safe, one colour per competence.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")


def _trend(request, overview: Overview) -> Trend:
    return coverage_trend(
        unit=overview.unit, filters=overview.filters, suppressed=overview.suppressed
    )


def _figure(trend: Trend) -> dict:
    labels = [period.label for period in trend.periods]
    figure = go.Figure()
    for index, series in enumerate(trend.series):
        figure.add_scatter(
            name=series.competence.name,
            x=labels,
            y=[point.share for point in series.points],
            mode="lines+markers",
            line={"color": PALETTE[index % len(PALETTE)], "width": 2},
            marker={"symbol": index % 10, "size": 8},
            hovertemplate="%{x}: %{y:.1f} pct.<extra>" + series.competence.name + "</extra>",
        )
    figure.update_layout(
        template="none",
        title={"text": _("Coverage per half-year")},
        separators=",.",
        yaxis={
            "range": [0, 100],
            "ticksuffix": " pct.",
            "title": {"text": _("Share")},
            "gridcolor": "#d0d0d0",
        },
        xaxis={"type": "category"},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        height=320,
        font={"family": "inherit"},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return json.loads(figure.to_json())


def trend_context(request, overview: Overview) -> dict:
    """What the dashboard's trend section needs (reports/admin/includes/coverage_trend.html)."""
    trend = _trend(request, overview)
    rows = []
    for index, period in enumerate(trend.periods):
        rows.append(
            {
                "period": period,
                "current": not period.is_closed(trend.today),
                "cells": [percent(series.points[index].share) for series in trend.series],
            }
        )
    query = coverage_views._query(overview.unit, overview.filters)
    return {
        "trend": trend,
        "trend_rows": rows,
        "trend_figure": _figure(trend) if trend.series else None,
        "trend_export_url": f"{reverse('reports_trend:export')}?{query}",
    }


def export(request):
    """The trend table as an XLSX workbook: per half-year and competence, valid, required and
    the share, suppressed as on the page; Danish headers, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    overview = coverage_views._overview(request)
    trend = _trend(request, overview)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Trend")[:31]
    bold = Font(bold=True)
    sheet.append([_("Coverage per half-year"), overview.unit.name])
    computed = display.export_xlsx_datetime(trend.computed_at) if trend.computed_at else None
    sheet.append([_("Computed at"), computed])
    if computed is not None:
        sheet.cell(row=2, column=2).number_format = "dd-mm-yyyy hh:mm"
    sheet.append([])
    sheet.append(
        [
            _("Half-year"),
            _("From"),
            _("As of"),
            _("Competence"),
            _("Valid"),
            _("Required"),
            _("Coverage (pct.)"),
        ]
    )
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for series in trend.series:
        for point in series.points:
            share = point.share
            sheet.append(
                [
                    point.period.label,
                    point.period.start,
                    point.period.as_of(trend.today),
                    series.competence.name,
                    point.valid_shown,
                    point.required_shown,
                    round(share, 1) if share is not None else WITHHELD,
                ]
            )
            for column in (2, 3):
                sheet.cell(row=sheet.max_row, column=column).number_format = "dd-mm-yyyy"
    if overview.suppressed:
        sheet.append([])
        sheet.append([_(LEGEND_COUNTS)])
        sheet.append([_(LEGEND_SHARES)])
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["D"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="daekning-udvikling-{stamp}.xlsx"'
    return response


admin_urlpatterns = [
    path("xlsx/", export, name="export"),
]
