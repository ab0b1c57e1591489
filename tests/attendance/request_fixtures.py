"""Fixtures shared by the meeting-request tests (imported by each test_requests_* module)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, MeetingRequest
from lms.people.models import OrgUnit, Role, User
from tests.factories import org_unit


@dataclass
class Cast:
    """Everyone the access matrix asks about, around Hjørring's gymnasium (HJ-GYM)."""

    units: dict[str, OrgUnit]
    coordinator: User  # Infohus coordinator of HJ: answers
    other_coordinator: User  # coordinator of another municipality (FR)
    contact: User  # department contact of HJ-BFU
    other_contact: User  # department contact of another administration (HJ-SAEH)
    institution: User  # institution coordinator of HJ-GYM: requests
    colleague: User  # a second institution coordinator of HJ-GYM
    other_institution: User  # institution coordinator of another institution (HJ-EUC)
    employee: User  # an employee of HJ-GYM (in the meeting's audience, no role)
    outsider: User  # an employee of HJ-SKOLE (outside the gymnasium)


@pytest.fixture
def cast(tree, make_staff, make_employee, mfa) -> Cast:
    units = dict(tree)
    units["HJ-SAEH"] = org_unit(
        code="HJ-SAEH", name="HJ SÆH", kind=OrgUnit.Kind.ADMINISTRATION, parent=tree["HJ"]
    )
    units["HJ-EUC"] = org_unit(
        code="HJ-EUC", name="HJ EUC", kind=OrgUnit.Kind.INSTITUTION, parent=tree["HJ"]
    )
    for unit in units.values():
        unit.refresh_from_db()

    def staff(role, unit):
        return mfa(make_staff(role, unit))

    return Cast(
        units=units,
        coordinator=staff(Role.COORDINATOR, units["HJ"]),
        other_coordinator=staff(Role.COORDINATOR, units["FR"]),
        contact=staff(Role.DEPARTMENT_CONTACT, units["HJ-BFU"]),
        other_contact=staff(Role.DEPARTMENT_CONTACT, units["HJ-SAEH"]),
        institution=staff(Role.INSTITUTION_COORDINATOR, units["HJ-GYM"]),
        colleague=staff(Role.INSTITUTION_COORDINATOR, units["HJ-GYM"]),
        other_institution=staff(Role.INSTITUTION_COORDINATOR, units["HJ-EUC"]),
        employee=make_employee(units["HJ-GYM"]).user,
        outsider=make_employee(units["HJ-SKOLE"]).user,
    )


def request_data(unit: OrgUnit, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "org_unit": unit,
        "kind": Meeting.Kind.INFORMATION,
        "expected_participants": 30,
        "preferred_from": today + dt.timedelta(days=14),
        "preferred_until": today + dt.timedelta(days=42),
        "preferred_times": "Tirsdag eftermiddag",
        "place": "Gymnasiets auditorium",
        "message": "Gerne om bekymringstegn.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_request(cast):
    """make_request(by=cast.institution, unit=HJ-GYM, **fields) -> a submitted request."""

    def make(*, by=None, unit=None, **fields) -> MeetingRequest:
        by = by or cast.institution
        unit = unit or cast.units["HJ-GYM"]
        return services.request_create(by=by, **request_data(unit, **fields))

    return make


def future(days: int = 20, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def accept_data(**overrides) -> dict:
    data = {
        "title": "Informationsmøde for gymnasiet",
        "starts_at": future(20, 10),
        "ends_at": future(20, 12),
        "capacity": 30,
        "venue": "Gymnasiets auditorium",
    }
    data.update(overrides)
    return data
