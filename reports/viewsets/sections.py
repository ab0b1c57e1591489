"""The Overblik page's sections below the coverage (outreach, courses, newsletters, concerns):
their period filter (`from` and `to`, half-year keys, in the URL with the page's other filters),
the sections a user may see for a scope, and their sheets in the page's XLSX export.

The coverage view (reports.viewsets.coverage) adds `sections_context` to its page and
`sections_export` to its workbook: the sections read their own selectors, scoped by the same unit
and suppressed for whoever may not see names (the concern counts for everyone).

Each section's figures are cached (Django's cache, REPORTS_SECTIONS_CACHE_SECONDS, 5 minutes by
default) under a key of everything they are computed from: the section, the unit (its id and its
path, so a unit moved in the tree starts afresh), the period, whether they are suppressed (a
coordinator's unsuppressed figures never reach the steering group) and the language of their
labels. The page's other filters (competence, job category, internal/external) do not change
them, so they are not in the key. Who may see a section at all (the concerns) is asked on every
request, never cached. A section carries the time it was computed, and the page shows that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import display
from lms.people.models import OrgUnit
from reports import access
from reports.lib import periods
from reports.lib.tables import Section
from reports.selectors import concerns, courses, newsletters, outreach

# The coverage page's own filters: kept when the period form is sent.
KEPT = ("unit", "competence", "job_category", "reach")


# Bumped when a Section's shape changes: a cached one of the old shape is then never read.
CACHE_VERSION = 1
# The generation of every cached section: sections_cache_forget() moves it on.
GENERATION_KEY = "reports:section:generation"


def sections_cache_forget() -> None:
    """Drop every cached section: the next request computes them afresh (the tests, between
    which a rolled-back unit's id is used again on SQLite)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, time.time_ns(), None)


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        # A fresh number that no cached entry used (first request, or evicted).
        generation = time.time_ns()
        if not cache.add(GENERATION_KEY, generation, None):
            generation = cache.get(GENERATION_KEY, generation)
    return generation


def cache_key(
    *, key: str, unit: OrgUnit, period: periods.Period, suppressed: bool, generation: int
) -> str:
    """The cache key of a section's figures: everything they are computed from."""
    return ":".join(
        [
            f"reports:section:v{CACHE_VERSION}",
            str(generation),
            key,
            str(unit.pk),
            unit.path,
            period.first.key,
            period.last.key,
            "suppressed" if suppressed else "names",
            translation.get_language() or "",
        ]
    )


def section_cached(
    *,
    key: str,
    unit: OrgUnit,
    period: periods.Period,
    suppressed: bool,
    compute: Callable,
    generation: int,
) -> Section:
    """The section from the cache, or computed (`compute()`) and cached for a few minutes."""
    name = cache_key(
        key=key, unit=unit, period=period, suppressed=suppressed, generation=generation
    )
    section = cache.get(name)
    if section is None:
        section = compute()
        cache.set(name, section, settings.REPORTS_SECTIONS_CACHE_SECONDS)
    return section


def sections_for(request, unit: OrgUnit) -> tuple[periods.Period, list[Section]]:
    period = periods.period_from(request.GET)
    suppressed = not access.may_see_names(request.user, unit)
    generation = _generation()
    selectors = [(outreach, "outreach"), (courses, "courses"), (newsletters, "newsletters")]
    sections = [
        section_cached(
            key=key,
            unit=unit,
            period=period,
            suppressed=suppressed,
            generation=generation,
            compute=lambda module=module: module.section(
                unit=unit, period=period, suppressed=suppressed
            ),
        )
        for module, key in selectors
    ]
    if access.may_view_concerns(request.user, unit):
        # Suppressed for everyone: one entry serves whoever may see them.
        sections.append(
            section_cached(
                key="concerns",
                unit=unit,
                period=period,
                suppressed=True,
                generation=generation,
                compute=lambda: concerns.section(unit=unit, period=period),
            )
        )
    return period, sections


def sections_context(request, unit: OrgUnit) -> dict:
    period, sections = sections_for(request, unit)
    shown = [
        replace(section, computed_at=timezone.localtime(section.computed_at))
        for section in sections
    ]
    return {
        "sections": shown,
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
