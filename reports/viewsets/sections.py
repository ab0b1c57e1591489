"""The Overblik page's sections below the coverage (outreach, courses, newsletters, concerns):
their period filter (`from` and `to`, half-year keys, in the URL with the page's other filters),
the sections a user may see for a scope, and their sheets in the page's XLSX export.

The coverage view (reports.viewsets.coverage) adds `sections_context` to its page and
`sections_export` to its workbook: the sections read their own selectors, scoped by the same unit
and suppressed for whoever may not see names (the concern counts for everyone).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from lms import display
from lms.people.models import OrgUnit
from reports import access
from reports.lib import periods
from reports.lib.tables import Section
from reports.selectors import concerns, courses, newsletters, outreach

# The coverage page's own filters: kept when the period form is sent.
KEPT = ("unit", "competence", "job_category", "reach")


def sections_for(request, unit: OrgUnit) -> tuple[periods.Period, list[Section]]:
    period = periods.period_from(request.GET)
    suppressed = not access.may_see_names(request.user, unit)
    sections = [
        outreach.section(unit=unit, period=period, suppressed=suppressed),
        courses.section(unit=unit, period=period, suppressed=suppressed),
        newsletters.section(unit=unit, period=period, suppressed=suppressed),
    ]
    if access.may_view_concerns(request.user, unit):
        sections.append(concerns.section(unit=unit, period=period))
    return period, sections


def sections_context(request, unit: OrgUnit) -> dict:
    period, sections = sections_for(request, unit)
    for section in sections:
        section.computed_at = timezone.localtime(section.computed_at)
    return {
        "sections": sections,
        "period": period,
        "period_choices": periods.choices(),
        "period_kept": [(k, request.GET[k]) for k in KEPT if request.GET.get(k)],
    }


def sections_export(workbook, request, unit: OrgUnit) -> None:
    """A sheet per section: its period, when computed, and its tables as on the page."""
    from openpyxl.styles import Font

    bold = Font(bold=True)
    _period, sections = sections_for(request, unit)
    for section in sections:
        sheet = workbook.create_sheet(section.title[:31])
        sheet.append([section.title, unit.name])
        sheet.append([_("Period"), section.period_label])
        sheet.append([_("Computed at"), display.export_xlsx_datetime(section.computed_at)])
        sheet.cell(row=3, column=2).number_format = "dd-mm-yyyy hh:mm"
        for table in section.tables:
            sheet.append([])
            sheet.append([table.caption])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append(table.columns)
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in [*table.rows, *([table.total] if table.total else [])]:
                sheet.append([cell.xlsx for cell in row])
                for column, cell in enumerate(row, start=1):
                    target = sheet.cell(row=sheet.max_row, column=column)
                    if cell.kind == "date" and not cell.hidden:
                        target.number_format = "dd-mm-yyyy"
                    elif cell.kind in ("percent", "days") and not cell.hidden:
                        target.number_format = "0.0"
        for note in section.notes:
            sheet.append([])
            sheet.append([note])
        sheet.column_dimensions["A"].width = 40
