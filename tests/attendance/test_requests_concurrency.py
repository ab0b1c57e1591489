"""Two coordinators answer the same meeting request at once, with real threads and one database
connection each: the row lock lets exactly one of them act, the other is told the request has
been answered. PostgreSQL only (SQLite's IMMEDIATE transactions serialise every writer anyway)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from attendance import services
from attendance.models import Meeting, MeetingRequest
from lms.people.models import OrgUnit, Role
from tests.factories import RoleAssignmentFactory, UserFactory, org_unit

from .builders import accept_data, future, request_data
from .test_concurrency import run_threads

S = MeetingRequest.Status

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL"),
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def setup(coordinators: int):
    root = org_unit(code="C", name="Race Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
    gym = org_unit(code="C-GYM", name="Race Gymnasium", kind=OrgUnit.Kind.INSTITUTION, parent=root)
    requester = UserFactory()
    RoleAssignmentFactory(user=requester, role=Role.INSTITUTION_COORDINATOR, org_unit=gym)
    staff = []
    for _ in range(coordinators):
        user = UserFactory()
        RoleAssignmentFactory(user=user, role=Role.COORDINATOR, org_unit=root)
        staff.append(user)
    request = services.request_create(by=requester, **request_data(gym))
    return request, requester, staff


def answer(job):
    kind, user, request_id = job
    request = MeetingRequest.objects.get(pk=request_id)
    if kind == "accept":
        # The race is about the transition: the institution has nobody on the roster, so the
        # coordinators accept its empty audience knowingly (else the first to lock is refused).
        return services.request_accept(
            request=request, by=user, empty_audience_confirmed=True, **accept_data()
        )
    if kind == "decline":
        return services.request_decline(request=request, by=user, reason="Nej tak")
    if kind == "propose":
        return services.request_propose(
            request=request, by=user, starts_at=future(30), ends_at=future(30, 12)
        )
    if kind == "proposal_accept":
        return services.request_proposal_accept(request=request, by=user)
    raise ValueError(kind)


def test_coordinators_answering_at_once_only_one_acts():
    request, _requester, staff = setup(coordinators=6)
    jobs = [
        (kind, user, request.pk)
        for kind, user in zip(["accept", "decline"] * 3, staff, strict=True)
    ]
    results, errors = run_threads(answer, jobs)
    assert len(results) == 1, errors
    assert len(errors) == 5
    assert all(isinstance(e, ValidationError) for e in errors), errors
    assert all(e.code == "invalid_transition" for e in errors)
    request.refresh_from_db()
    assert request.status in (S.ACCEPTED, S.DECLINED)
    assert request.handled_by == results[0].handled_by
    # At most one meeting, and only if the winner accepted.
    assert Meeting.objects.count() == (1 if request.status == S.ACCEPTED else 0)


def test_requester_accepting_while_a_coordinator_declines():
    request, requester, staff = setup(coordinators=1)
    services.request_propose(
        request=request, by=staff[0], starts_at=future(30), ends_at=future(30, 12)
    )
    jobs = [("proposal_accept", requester, request.pk), ("decline", staff[0], request.pk)]
    results, errors = run_threads(answer, jobs)
    assert len(results) == 1 and len(errors) == 1, errors
    request.refresh_from_db()
    assert request.status in (S.ACCEPTED, S.DECLINED)
    assert Meeting.objects.count() == (1 if request.status == S.ACCEPTED else 0)
