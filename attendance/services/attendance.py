"""All-or-nothing import of a meeting's attendance from CSV (or XLSX).

Columns: `email` or `employee_number` (at least one of them in the file; per row one is enough)
and `mark` (present/late/excused/absent, or the Danish words). The file is read with the shared
reader (lms.tabular), every row is checked against the file and the database first, and only a
file without errors is applied, through attendance.services in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from attendance import access, services
from attendance.models import Attendance, Meeting
from lms.people.models import Person, User
from lms.tabular import FileError, RowError, Source, errors_summary, read_table

KEY_COLUMNS = ("email", "employee_number")
MARK_COLUMN = "mark"

# What the mark column may say: our codes and the Danish words.
_MARKS = {
    "present": Attendance.Mark.PRESENT,
    "til stede": Attendance.Mark.PRESENT,
    "mødt": Attendance.Mark.PRESENT,
    "late": Attendance.Mark.LATE,
    "forsinket": Attendance.Mark.LATE,
    "excused": Attendance.Mark.EXCUSED,
    "afbud": Attendance.Mark.EXCUSED,
    "meldt afbud": Attendance.Mark.EXCUSED,
    "absent": Attendance.Mark.ABSENT,
    "fraværende": Attendance.Mark.ABSENT,
    "udeblevet": Attendance.Mark.ABSENT,
}


@dataclass
class AttendanceImportResult:
    errors: list[RowError]
    marked: int = 0
    unchanged: int = 0
    rows: int = 0
    details: list[str] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return errors_summary(self.errors)
        return _("%(marked)d marked, %(unchanged)d unchanged.") % {
            "marked": self.marked,
            "unchanged": self.unchanged,
        }


def attendance_import(
    *, meeting: Meeting, source: Source, filename: str | None = None, by: User | None
) -> AttendanceImportResult:
    """Validate the whole file, then mark everyone in it, or nothing."""
    if by is not None and not access.may_take_attendance(by, meeting):
        return AttendanceImportResult(
            errors=[RowError(None, None, _("You do not have permission to do this here."))]
        )
    try:
        table = read_table(source, filename)
    except FileError as error:
        return AttendanceImportResult(errors=error.errors)

    errors: list[RowError] = []
    if not any(name in table.columns for name in KEY_COLUMNS):
        errors.append(
            RowError(
                None,
                "email",
                _("The file needs an email or an employee_number column."),
            )
        )
    if MARK_COLUMN not in table.columns:
        errors.append(RowError(None, MARK_COLUMN, _("The column is missing from the file.")))
    if errors:
        return AttendanceImportResult(errors=errors)

    # One query for everyone the file names, among those the meeting may hold.
    emails = {v["email"].lower() for _n, v in table.rows if v.get("email")}
    numbers = {v["employee_number"] for _n, v in table.rows if v.get("employee_number")}
    people = _people_for(meeting, by=by, emails=emails, numbers=numbers)
    by_email = {p.email.lower(): p for p in people if p.email}
    by_number = {p.employee_number: p for p in people if p.employee_number}

    marks: dict[Person, str] = {}
    first_row: dict[int, int] = {}
    for number, values in table.rows:
        email = values.get("email", "")
        employee_number = values.get("employee_number", "")
        person = None
        if email:
            person = by_email.get(email.lower())
            if person is None:
                errors.append(RowError(number, "email", _("No such person for this meeting.")))
        elif employee_number:
            person = by_number.get(employee_number)
            if person is None:
                errors.append(
                    RowError(number, "employee_number", _("No such person for this meeting."))
                )
        else:
            errors.append(RowError(number, "email", _("Give an email or an employee number.")))
        raw = values.get(MARK_COLUMN, "").strip().lower()
        mark = _MARKS.get(raw)
        if mark is None:
            errors.append(
                RowError(
                    number,
                    MARK_COLUMN,
                    _("Unknown mark “%(value)s”: use present, late, excused or absent.")
                    % {"value": values.get(MARK_COLUMN, "")},
                )
                if raw
                else RowError(number, MARK_COLUMN, _("Give a mark."))
            )
        if person is None:
            continue
        if person.pk in first_row:
            errors.append(
                RowError(
                    number,
                    "email" if email else "employee_number",
                    _("The same person is also in row %(row)s.") % {"row": first_row[person.pk]},
                )
            )
            continue
        first_row[person.pk] = number
        if mark is not None:
            marks[person] = mark
    if errors:
        return AttendanceImportResult(errors=sorted(errors, key=lambda e: e.row or 0))

    current = dict(
        Attendance.objects.filter(meeting=meeting, person__in=list(marks)).values_list(
            "person_id", "mark"
        )
    )
    changed = {p: m for p, m in marks.items() if current.get(p.pk) != m}
    try:
        services.attendance_mark_many(
            meeting=meeting, marks=changed, method=Attendance.Method.IMPORT, by=by
        )
    except ValidationError as error:
        return AttendanceImportResult(errors=[RowError(None, None, m) for m in error.messages])
    return AttendanceImportResult(
        errors=[], marked=len(changed), unchanged=len(marks) - len(changed), rows=len(table.rows)
    )


def _people_for(meeting: Meeting, *, by: User | None, emails: set[str], numbers: set[str]):
    """The people the file may name: registered for the meeting, or (walk-ins) among those
    `by` may add. Matching is on these only, so a file cannot reach anyone else."""
    named = Q(email_lower__in=emails) | Q(employee_number__in=numbers)
    registered = Q(registrations__meeting=meeting)
    if by is None:
        pool = Person.objects.filter(org_unit__path__startswith=meeting.org_unit.path, active=True)
    else:
        pool = access.attendance_candidates(by, meeting)
    candidates = Person.objects.filter(Q(pk__in=pool.values("pk")) | registered)
    return list(candidates.annotate(email_lower=Lower("email")).filter(named).distinct())
