"""The demo's coverage figures: computed once the other apps' demo data (evidence from meetings
and courses) is in, so that "Overblik" has figures, and its trend the current half-year's, before
the beat task's first run. And the steering group's next meeting, ten days ahead, with its
half-year report built and offered by the real task (the link mail lands in var/mail/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from lms.people.models import OrgUnit
from reports.models import SteeringMeeting
from reports.services.coverage import coverage_refresh
from reports.services.halfyear import halfyear_reports_due
from reports.services.trend import trend_refresh

MUNICIPALITY = "HJK"
MEETING_IN_DAYS = 10


@dataclass
class CoverageDemoResult:
    cells: int
    meetings: int = 0
    reports: int = 0

    @property
    def changed(self) -> bool:
        # The figures are derived and recomputed on every run; the meeting and its report are
        # demo data of their own, added once.
        return bool(self.meetings or self.reports)

    def summary(self) -> str:
        text = f"{self.cells} coverage figures computed"
        if self.meetings or self.reports:
            text += f", {self.meetings} steering group meeting, {self.reports} half-year report"
        return text


def coverage_demo_load() -> CoverageDemoResult:
    cells = coverage_refresh()
    trend_refresh()
    meetings = 0
    unit = OrgUnit.objects.filter(code=MUNICIPALITY).first()
    if unit is not None and not SteeringMeeting.objects.filter(org_unit=unit).exists():
        SteeringMeeting.objects.create(
            org_unit=unit, meets_on=timezone.localdate() + dt.timedelta(days=MEETING_IN_DAYS)
        )
        meetings = 1
    reports = len(halfyear_reports_due()) if meetings else 0
    return CoverageDemoResult(cells=cells, meetings=meetings, reports=reports)
