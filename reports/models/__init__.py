from reports.models.coverage import CoverageCell

__all__ = ["CoverageCell"]
