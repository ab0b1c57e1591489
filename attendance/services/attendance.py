"""Every change to a meeting's attendance.

Marking who was at a meeting (the attendance sheet, QR self check-in, the CSV import) and the
competence evidence that follows from it. One Attendance row per (meeting, person), changed in
place; the audit log keeps every change. Present or late records Evidence through
lms.competence.services with the stable reference "meeting:<id>", so marking again never records
twice; a change to excused or absent voids that evidence with a reason.

The import is all or nothing, from CSV (or XLSX). Columns: `email` or `employee_number` (at least
one of them in the file; per row one is enough) and `mark` (present/late/excused/absent, or the
Danish words). The file is read with the shared reader (lms.tabular), every row is checked against
the file and the database first, and only a file without errors is applied, through
attendance_mark_many in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import access
from attendance.lib import checkin
from attendance.models import Attendance, Meeting, Registration
from attendance.models.meetings import booking_code_normalise
from attendance.services.meetings import S, _clock, _deny
from lms import audit
from lms.competence import access as competence_access
from lms.competence.models import Evidence
from lms.competence.services import evidence as competence_services
from lms.people import policy
from lms.people import services as people_services
from lms.people.models import JobCategory, OrgUnit, Person, User
from lms.tabular import FileError, RowError, Source, errors_summary, read_table

__all__ = [
    "ATTENDANCE_STATUSES",
    "attendance_open_error",
    "attendance_mark",
    "attendance_mark_many",
    "attendance_add_walk_in",
    "attendance_check_in",
    "attendance_import",
    "AttendanceImportResult",
]

ATTENDANCE_STATUSES = (S.PUBLISHED, S.HELD)


def _evidence_reference(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}"


def _recorder(by: User | None, person: Person) -> User | None:
    """Who the ledger names as recording the evidence. The caller is already allowed to take
    attendance (a facilitator needs no roster rights for that); if they may not record evidence
    for this person themselves, the system records it, and the attendance audit entry names them.
    """
    if by is not None and policy.can(by, competence_access.Action.EVIDENCE_RECORD, person):
        return by
    return None


def attendance_open_error(meeting: Meeting, now: datetime) -> ValidationError | None:
    if meeting.status == S.CLOSED:
        return ValidationError(_("The meeting is closed: its attendance is final."), code="closed")
    if meeting.status not in ATTENDANCE_STATUSES:
        return ValidationError(
            _("Attendance can only be taken for a published or held meeting."), code="not_open"
        )
    if now < checkin.checkin_window(meeting).opens:
        return ValidationError(
            _("Attendance can be taken from 30 minutes before the meeting starts."),
            code="too_early",
        )
    return None


def _attendance_evidence(
    attendance: Attendance, meeting: Meeting, *, old_mark: str | None, by: User | None
) -> dict[str, Any]:
    """Record or void the meeting's competence after a mark changed; what was done, for the log."""
    if meeting.competence_id is None:
        return {}
    person = attendance.person
    if attendance.mark in Attendance.ATTENDED:
        achieved_on = min(timezone.localdate(meeting.starts_at), timezone.localdate())
        evidence = competence_services.evidence_record(
            person=person,
            competence=meeting.competence,
            source=Evidence.Source.MEETING,
            source_reference=_evidence_reference(meeting),
            achieved_on=achieved_on,
            by=_recorder(by, person),
        )
        return {"evidence_id": evidence.pk}
    found = Evidence.objects.filter(
        person=person,
        competence_id=meeting.competence_id,
        source_reference=_evidence_reference(meeting),
        voided_at=None,
    ).first()
    if found is None:
        return {}
    reason = _("Attendance at meeting %(meeting)s changed from %(old)s to %(new)s.") % {
        "meeting": meeting.pk,
        "old": Attendance.Mark(old_mark).label if old_mark else "–",
        "new": attendance.get_mark_display(),
    }
    competence_services.evidence_void(evidence=found, reason=reason, by=_recorder(by, person))
    return {"evidence_voided_id": found.pk, "void_reason": reason}


def _mark(
    *, meeting: Meeting, person: Person, mark: str, method: str, by: User | None, now: datetime
) -> Attendance:
    """Set one person's mark; the caller has checked access and holds the meeting's lock."""
    if mark not in Attendance.Mark.values:
        raise ValidationError({"mark": _("Unknown attendance mark.")}, code="bad_mark")
    if method not in Attendance.Method.values:
        raise ValidationError({"method": _("Unknown attendance method.")}, code="bad_method")
    attendance = Attendance.objects.filter(meeting=meeting, person=person).first()
    old_mark = attendance.mark if attendance else None
    if attendance is not None and old_mark == mark:
        return attendance
    if attendance is None:
        registered = Registration.objects.filter(
            meeting=meeting, person=person, status__in=Registration.LIVE
        ).exists()
        attendance = Attendance(meeting=meeting, person=person, walk_in=not registered)
    attendance.mark = mark
    attendance.method = method
    attendance.marked_by = by
    attendance.marked_at = now
    attendance.save()
    data = {
        "meeting_id": meeting.pk,
        "person_id": person.pk,
        "old": old_mark,
        "mark": mark,
        "method": method,
    }
    data.update(_attendance_evidence(attendance, meeting, old_mark=old_mark, by=by))
    audit.log(attendance, "lms.attendance.mark", by=by, data=data)
    return attendance


def _open_locked(meeting: Meeting, now: datetime) -> Meeting:
    """The meeting re-read under its row lock, refused unless attendance is open at `now`."""
    meeting = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("org_unit", "competence")
        .get(pk=meeting.pk)
    )
    error = attendance_open_error(meeting, now)
    if error is not None:
        raise error
    return meeting


def _attendance_begin(meeting: Meeting, *, by: User | None, now: datetime) -> Meeting:
    if by is not None and not access.may_take_attendance(by, meeting):
        _deny()
    return _open_locked(meeting, now)


def _check_people(meeting: Meeting, people: list[Person], *, by: User | None) -> None:
    """A taker of attendance marks the meeting's registrations and attendance rows, and walk-ins
    from the people they may add (attendance_candidates), nobody else."""
    if by is None or not people:
        return
    ids = {p.pk for p in people}
    known = set(
        Registration.objects.filter(meeting=meeting, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    known |= set(
        Attendance.objects.filter(meeting=meeting, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    rest = ids - known
    if rest and access.attendance_candidates(by, meeting).filter(pk__in=rest).count() != len(rest):
        _deny()


@transaction.atomic
def attendance_mark(
    *,
    meeting: Meeting,
    person: Person,
    mark: str,
    method: str,
    by: User | None,
    now: datetime | None = None,
) -> Attendance:
    """Mark one person's attendance (a facilitator of the meeting or its manager).

    `now` (default: the current time, never later) is the moment of marking: attendance must
    be open by then (from 30 minutes before the start), and it is the row's `marked_at`."""
    now = _clock(now)
    meeting = _attendance_begin(meeting, by=by, now=now)
    _check_people(meeting, [person], by=by)
    return _mark(meeting=meeting, person=person, mark=mark, method=method, by=by, now=now)


@transaction.atomic
def attendance_mark_many(
    *,
    meeting: Meeting,
    marks: dict[Person, str],
    method: str,
    by: User | None,
    now: datetime | None = None,
) -> list[Attendance]:
    """Mark several people at once (the sheet, the import): all or nothing.

    `now` (default: the current time, never later) is the moment of marking, as in
    attendance_mark."""
    now = _clock(now)
    meeting = _attendance_begin(meeting, by=by, now=now)
    _check_people(meeting, list(marks), by=by)
    return [
        _mark(meeting=meeting, person=person, mark=mark, method=method, by=by, now=now)
        for person, mark in marks.items()
    ]


@transaction.atomic
def attendance_add_walk_in(
    *,
    meeting: Meeting,
    by: User | None,
    person: Person | None = None,
    name: str = "",
    email: str = "",
    org_unit: OrgUnit | None = None,
    job_category: JobCategory | None = None,
    mark: str = Attendance.Mark.PRESENT,
) -> Attendance:
    """Someone came without a registration: a person from the roster, or a new external person
    (name, email) created under the meeting's institution or an external unit chosen in scope."""
    now = timezone.now()
    if person is None:
        org_unit = org_unit or meeting.institution
        if org_unit is None:
            raise ValidationError(
                {"org_unit": _("Choose the institution the person comes from.")},
                code="no_unit",
            )
        if by is not None and not access.walk_in_units(by, meeting).filter(pk=org_unit.pk).exists():
            raise ValidationError(
                {"org_unit": _("Choose an external unit of this meeting.")}, code="bad_unit"
            )
    elif (
        by is not None
        and not access.attendance_candidates(by, meeting).filter(pk=person.pk).exists()
    ):
        _deny()
    meeting = _attendance_begin(meeting, by=by, now=now)
    if person is None:
        person = people_services.person_create(
            name=name.strip(),
            email=email.strip(),
            org_unit=org_unit,
            job_category=job_category,
            # The facilitator may add walk-ins without roster rights; the system creates the
            # person then, and the walk-in's audit entry names the facilitator.
            by=by
            if by is not None and policy.can(by, policy.Action.PERSON_MANAGE, org_unit)
            else None,
        )
    elif not person.active:
        raise ValidationError(_("This person is no longer active."), code="inactive")
    attendance = _mark(
        meeting=meeting, person=person, mark=mark, method=Attendance.Method.ROSTER, by=by, now=now
    )
    audit.log(
        attendance,
        "lms.attendance.walk_in",
        by=by,
        data={"meeting_id": meeting.pk, "person_id": person.pk, "walk_in": attendance.walk_in},
    )
    return attendance


def _checkin_person(meeting: Meeting, person: Person) -> bool:
    registered = Registration.objects.filter(
        meeting=meeting, person=person, status__in=Registration.LIVE
    ).exists()
    return registered or access.person_in_meeting_audience(person, meeting)


@transaction.atomic
def attendance_check_in(
    *,
    meeting: Meeting,
    token: str,
    user: User | None = None,
    email: str = "",
    code: str = "",
) -> Attendance:
    """QR self check-in: a signed-in person (`user`), or an attendee without an account who gives
    the email of a registration for this meeting and its booking code (from their confirmation
    mail and calendar invitation). Present, or late after the start + 10 minutes.

    The QR link is shown to the whole room, so the email address alone (which colleagues know)
    is not enough: it would let anyone there check in anyone registered, and attendance records
    competence. The booking code is what only the person received.

    Raises checkin.TokenError for a bad token, and ValidationError(code="not_found") for any
    person who cannot check in here, with one message whether or not the email exists or the
    code is wrong."""
    now = timezone.now()
    checkin.token_check(token=token, meeting=meeting, now=now)
    person = policy.person_of(user) if user is not None else None
    if person is not None:
        if not _checkin_person(meeting, person):
            raise ValidationError(
                _(
                    "We could not check you in with this information. Ask the meeting's "
                    "facilitator to mark your attendance."
                ),
                code="not_found",
            )
    else:
        address = (email or "").strip()
        code = booking_code_normalise(code)
        if not code:
            raise ValidationError(
                {"code": _("Type the booking code from your confirmation email.")},
                code="code_required",
            )
        registration = (
            Registration.objects.filter(
                meeting=meeting,
                status__in=Registration.LIVE,
                person__active=True,
                booking_code=code,
            )
            .filter(person__email__iexact=address)
            .select_related("person")
            .first()
            if address
            else None
        )
        if registration is None:
            raise ValidationError(
                _(
                    "We could not check you in with this email address and booking code. "
                    "Check both against your confirmation email, or ask the meeting's "
                    "facilitator to mark your attendance."
                ),
                code="not_found",
            )
        person = registration.person
    meeting = _open_locked(meeting, now)
    existing = Attendance.objects.filter(meeting=meeting, person=person).first()
    if existing is not None and existing.mark in Attendance.ATTENDED:
        # Scanning twice (or after the facilitator marked them) changes nothing.
        return existing
    return _mark(
        meeting=meeting,
        person=person,
        mark=checkin.mark_for(meeting, now=now),
        method=Attendance.Method.QR,
        by=user if user is not None and user.is_authenticated else None,
        now=now,
    )


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
        attendance_mark_many(meeting=meeting, marks=changed, method=Attendance.Method.IMPORT, by=by)
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
