from reports.models.coverage import CoverageCell
from reports.models.halfyear import HalfYearReport, SteeringMeeting
from reports.models.trend import CoverageTrendCell

__all__ = ["CoverageCell", "CoverageTrendCell", "HalfYearReport", "SteeringMeeting"]
