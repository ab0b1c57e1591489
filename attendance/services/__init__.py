"""Every change to the attendance app's data, one module per capability:

- meetings: meetings, registrations (sign-up that never overbooks)
- attendance: marking who came (sheet, QR check-in, import) and the evidence it records
- requests: meeting requests from departments and institutions
- bookings: an institution coordinator books seats for named staff
- cards: Action Cards, their versions and approval
- distributions: the Action Cards handed out
- reminders: the reminder before a meeting, sent once per seat

Callers use `from attendance import services` and `services.<thing>_<verb>(...)`.
"""

from attendance.services.attendance import *  # noqa: F403
from attendance.services.bookings import *  # noqa: F403
from attendance.services.cards import *  # noqa: F403
from attendance.services.distributions import *  # noqa: F403
from attendance.services.meetings import *  # noqa: F403
from attendance.services.reminders import *  # noqa: F403
from attendance.services.requests import *  # noqa: F403
