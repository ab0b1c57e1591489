"""The demo's coverage figures: computed once the other apps' demo data (evidence from meetings
and courses) is in, so that "Overblik" has figures, and its trend the current half-year's, before
the beat task's first run."""

from __future__ import annotations

from dataclasses import dataclass

from reports.services.coverage import coverage_refresh
from reports.services.trend import trend_refresh


@dataclass
class CoverageDemoResult:
    cells: int

    @property
    def changed(self) -> bool:
        # Derived figures, recomputed on every run: no demo data of their own.
        return False

    def summary(self) -> str:
        return f"{self.cells} coverage figures computed"


def coverage_demo_load() -> CoverageDemoResult:
    cells = coverage_refresh()
    trend_refresh()
    return CoverageDemoResult(cells=cells)
