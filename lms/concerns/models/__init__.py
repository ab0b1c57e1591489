from lms.concerns.models.cases import Concern
from lms.concerns.models.settings import ConcernReminder, ConcernSettings, ForwardingService

__all__ = ["Concern", "ConcernReminder", "ConcernSettings", "ForwardingService"]
