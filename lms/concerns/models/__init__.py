from lms.concerns.models.cases import Concern

__all__ = ["Concern"]
