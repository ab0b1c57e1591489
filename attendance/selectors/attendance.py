"""Reads of a meeting's attendance that the admin sheet (attendance.viewsets.attendance) shows."""

from __future__ import annotations

from attendance.models import Attendance, Meeting, Registration


def sheet_rows(meeting: Meeting) -> list[dict]:
    """One row per person on the sheet: live registrations (confirmed first, then the waiting
    list, each in sign-up order), then walk-ins. Three queries however many rows there are."""
    attendances = {
        a.person_id: a
        for a in Attendance.objects.filter(meeting=meeting).select_related(
            "person", "person__org_unit"
        )
    }
    registrations = (
        Registration.objects.filter(meeting=meeting, status__in=Registration.LIVE)
        .select_related("person", "person__org_unit")
        .order_by("status", "created_at", "pk")  # "confirmed" < "waiting": confirmed first
    )
    rows = []
    seen = set()
    for registration in registrations:
        seen.add(registration.person_id)
        rows.append(
            {
                "person": registration.person,
                "registration": registration,
                "attendance": attendances.get(registration.person_id),
            }
        )
    for person_id, attendance in sorted(attendances.items(), key=lambda i: i[1].person.name):
        if person_id not in seen:
            rows.append(
                {"person": attendance.person, "registration": None, "attendance": attendance}
            )
    return rows
