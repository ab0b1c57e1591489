"""Reading a meeting request's "preferred days and times" (free text, in Danish or English) well
enough to suggest a time: the coordinator's accept form starts from it instead of a fixed hour.

    "Tirsdag eller torsdag eftermiddag efter kl. 14, ikke i uge 42"
        -> Tuesday or Thursday, 14:00, not in ISO week 42

Only what is clearly there is read (weekdays, a part of the day, a clock time or a range, weeks
to avoid); everything else is the coordinator's to read, since the text is shown beside the form.
Pure functions: no database, no clock (the caller passes the first possible day).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

DEFAULT_START = dt.time(10, 0)
DEFAULT_LENGTH = dt.timedelta(hours=2)

# Full names and their plurals/definite forms ("tirsdage", "tirsdagen", "tuesdays"); no short
# forms: "man", "tor" and "fre" are ordinary Danish words.
_WEEKDAYS = (
    (0, r"mandag\w*|mondays?"),
    (1, r"tirsdag\w*|tuesdays?"),
    (2, r"onsdag\w*|wednesdays?"),
    (3, r"torsdag\w*|thursdays?"),
    (4, r"fredag\w*|fridays?"),
    (5, r"lørdag\w*|saturdays?"),
    (6, r"søndag\w*|sundays?"),
)
# Checked in this order: "eftermiddag" before "middag".
_PARTS_OF_DAY = (
    (r"eftermiddag\w*|afternoons?", dt.time(13, 0)),
    (r"formiddag\w*|mornings?|morgen\w*", dt.time(9, 0)),
    (r"middag\w*|frokost\w*|noon|lunch\w*", dt.time(12, 0)),
    (r"aften\w*|evenings?", dt.time(17, 0)),
)
_NOT = r"(?:ikke|not|undtagen|except|aldrig|never)"
_CLOCK = r"(\d{1,2})(?:[.:](\d{2}))?"
# "kl. 14", "kl 14.30", "14:00", "2 pm"; a range "kl. 14-16" / "14:00-16:00".
_TIME = re.compile(rf"\bkl\.?\s*{_CLOCK}|\b(\d{{1,2}})[:](\d{{2}})\b|\b(\d{{1,2}})\s*(am|pm)\b")
_RANGE = re.compile(
    rf"(?:\bkl\.?\s*{_CLOCK}|\b(\d{{1,2}}):(\d{{2}}))\s*(?:-|–|til|to)\s*(?:kl\.?\s*)?{_CLOCK}\b"
)
_BEFORE = re.compile(rf"\b(?:før|inden|senest|before|until|by)\s+(?:kl\.?\s*)?{_CLOCK}\b")
_WEEK = re.compile(r"\b(?:uge|week)n?\s*((?:\d{1,2}\s*(?:,|og|and|-|–)?\s*)+)")


@dataclass
class Preference:
    weekdays: set[int] = field(default_factory=set)
    avoid_weekdays: set[int] = field(default_factory=set)
    avoid_weeks: set[int] = field(default_factory=set)
    start: dt.time | None = None
    length: dt.timedelta = DEFAULT_LENGTH


def _time(hour: str | None, minute: str | None) -> dt.time | None:
    if hour is None:
        return None
    h, m = int(hour), int(minute or 0)
    # A meeting with staff is held in working hours; anything else is not a clock time here.
    if not (6 <= h <= 21 and 0 <= m < 60):
        return None
    return dt.time(h, m)


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def parse(text: str) -> Preference:
    """What `text` says about days and times (an empty Preference when it says nothing)."""
    found = Preference()
    text = (text or "").lower()
    for clause in re.split(r"[.;\n]|\bmen\b|\bbut\b", text):
        negated = re.search(rf"\b{_NOT}\b", clause) is not None
        for day, pattern in _WEEKDAYS:
            for match in re.finditer(rf"\b(?:{pattern})\b", clause):
                before = clause[: match.start()]
                if re.search(rf"\b{_NOT}\b[^,]*$", before):
                    found.avoid_weekdays.add(day)
                else:
                    found.weekdays.add(day)
        if negated:
            for match in _WEEK.finditer(clause):
                numbers = [int(n) for n in re.findall(r"\d{1,2}", match.group(1))]
                if re.search(r"\d\s*[-–]\s*\d", match.group(1)) and len(numbers) == 2:
                    numbers = list(range(numbers[0], numbers[1] + 1))
                found.avoid_weeks.update(n for n in numbers if 1 <= n <= 53)
    found.weekdays -= found.avoid_weekdays

    if match := _RANGE.search(text):
        start = _time(match.group(1) or match.group(3), match.group(2) or match.group(4))
        end = _time(match.group(5), match.group(6))
        if start and end and _minutes(end) > _minutes(start):
            found.start = start
            found.length = dt.timedelta(minutes=_minutes(end) - _minutes(start))
            return found
    if match := _BEFORE.search(text):
        end = _time(match.group(1), match.group(2))
        if end is not None:
            start = max(_minutes(end) - DEFAULT_LENGTH.seconds // 60, 8 * 60)
            found.start = dt.time(start // 60, start % 60)
            found.length = dt.timedelta(minutes=_minutes(end) - start)
            return found
    for match in _TIME.finditer(text):
        if match.group(1) is not None:
            found.start = _time(match.group(1), match.group(2))
        elif match.group(3) is not None:
            found.start = _time(match.group(3), match.group(4))
        else:
            hour = int(match.group(5)) % 12 + (12 if match.group(6) == "pm" else 0)
            found.start = _time(str(hour), None)
        if found.start is not None:
            return found
    for pattern, start in _PARTS_OF_DAY:
        if re.search(rf"\b(?:{pattern})\b", text):
            found.start = start
            break
    return found


def _easter(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    n = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * n) // 451
    month, day = divmod(h + n - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def danish_holidays(year: int) -> set[dt.date]:
    """Days Danish municipal workplaces are closed: the public holidays, Constitution Day and
    Christmas Eve to New Year's Eve's closing days."""
    easter = _easter(year)
    moving = {
        easter + dt.timedelta(days=offset)
        for offset in (-3, -2, 0, 1, 39, 49, 50)  # Maundy Thursday ... Whit Monday
    }
    fixed = {dt.date(year, 1, 1), dt.date(year, 6, 5), dt.date(year, 12, 31)}
    fixed |= {dt.date(year, 12, day) for day in (24, 25, 26)}
    if year <= 2023:  # Store bededag, abolished from 2024
        moving.add(easter + dt.timedelta(days=26))
    return moving | fixed


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in danish_holidays(day.year)


def suggest(
    text: str, *, first: dt.date, until: dt.date, earliest: dt.date
) -> tuple[dt.date, dt.time, dt.timedelta]:
    """A working day in the period [first, until] (not before `earliest`) on a preferred weekday
    and not in a week to avoid, at the preferred time: (day, start, length).

    When the period holds no such day, the first working day in it; when it has passed, the first
    working day from `earliest`."""
    preference = parse(text)
    start = preference.start or DEFAULT_START

    def fits(day: dt.date, *, strict: bool) -> bool:
        if not is_working_day(day) or day.weekday() in preference.avoid_weekdays:
            return False
        if not strict:
            return True
        if preference.weekdays and day.weekday() not in preference.weekdays:
            return False
        return day.isocalendar().week not in preference.avoid_weeks

    begin = max(first, earliest)
    for strict in (True, False):
        day = begin
        while day <= until:
            if fits(day, strict=strict):
                return day, start, preference.length
            day += dt.timedelta(days=1)
    day = begin
    while not fits(day, strict=True) and day < begin + dt.timedelta(days=366):
        day += dt.timedelta(days=1)
    if not is_working_day(day):
        day = begin
        while not is_working_day(day):
            day += dt.timedelta(days=1)
    return day, start, preference.length
