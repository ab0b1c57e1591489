"""The rotating token behind a meeting's QR self check-in.

A token is the meeting id and a five-minute window index, signed with the project's secret
(django.core.signing, its own salt). It is deterministic within a window, so the code on the
screen is stable for a while, and a photo of it stops working once two windows have passed: a
token is accepted for the current and the previous window only. On top of that, check-in is open
only from CHECKIN_OPENS before the meeting starts until CHECKIN_CLOSES after it ends. Nothing here
touches the database; attendance.services does the checking in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

WINDOW_SECONDS = 5 * 60
CHECKIN_OPENS = dt.timedelta(minutes=30)
CHECKIN_CLOSES = dt.timedelta(minutes=30)
# Checked in later than this after the start counts as late.
LATE_AFTER = dt.timedelta(minutes=10)
_SALT = "attendance.lib.checkin"


class TokenError(Exception):
    """The token cannot be used; `code` says why: forged, expired, not_yet_valid, closed."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class CheckinWindow:
    opens: dt.datetime
    closes: dt.datetime


def _signer() -> signing.Signer:
    return signing.Signer(salt=_SALT)


def window_index(now: dt.datetime) -> int:
    return int(now.timestamp()) // WINDOW_SECONDS


def checkin_window(meeting) -> CheckinWindow:
    return CheckinWindow(
        opens=meeting.starts_at - CHECKIN_OPENS, closes=meeting.ends_at + CHECKIN_CLOSES
    )


def checkin_open(meeting, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    window = checkin_window(meeting)
    return window.opens <= now <= window.closes


def token_make(*, meeting, now: dt.datetime | None = None) -> str:
    """The token for `meeting` in the current five-minute window."""
    now = now or timezone.now()
    return _signer().sign(f"{meeting.pk}.{window_index(now)}")


def token_check(*, token: str, meeting, now: dt.datetime | None = None) -> None:
    """Raise TokenError unless `token` is genuine, for `meeting`, from the current or previous
    window, and check-in for the meeting is open now."""
    now = now or timezone.now()
    try:
        value = _signer().unsign(token)
        meeting_id, index = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        raise TokenError("forged") from None
    if meeting_id != meeting.pk:
        raise TokenError("forged")
    current = window_index(now)
    if index > current:
        # Signed by us for a window that has not come yet: only a clock skew would do that.
        raise TokenError("forged")
    if index < current - 1:
        raise TokenError("expired")
    window = checkin_window(meeting)
    if now < window.opens:
        raise TokenError("not_yet_valid")
    if now > window.closes:
        raise TokenError("closed")


def mark_for(meeting, *, now: dt.datetime | None = None) -> str:
    """present, or late when checking in more than LATE_AFTER after the start."""
    from attendance.models import Attendance

    now = now or timezone.now()
    return Attendance.Mark.LATE if now > meeting.starts_at + LATE_AFTER else Attendance.Mark.PRESENT
