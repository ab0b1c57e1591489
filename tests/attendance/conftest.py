import datetime as dt

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, MeetingRequest
from lms.people.models import OrgUnit, Role
from tests.factories import PersonFactory, UserFactory, org_unit

from .builders import Cast, card_make, meeting_make, request_make


@pytest.fixture
def make_meeting(db):
    """make_meeting(org_unit, audience=[...], capacity=.., publish=True, starts_in=timedelta)"""
    return meeting_make


@pytest.fixture
def make_employee(db):
    """make_employee(unit, job_category=None) -> a Person with a user account."""

    def make(unit, **fields):
        user = UserFactory()
        return PersonFactory(org_unit=unit, user=user, email=user.email, **fields)

    return make


@pytest.fixture
def live_meeting(make_meeting):
    """live_meeting(org_unit, audience=[...], started=timedelta, registrants=[...], **fields) ->
    a published meeting that started `started` ago (negative: starts later) and lasts two hours,
    with `registrants` signed up. Published and signed up while in the future (both refuse the
    past), then moved in time with a plain update."""

    def make(org_unit, *, started=dt.timedelta(minutes=5), registrants=(), **fields):
        meeting = make_meeting(org_unit, **fields)
        for person in registrants:
            services.registration_create(meeting=meeting, person=person, by=None)
        starts_at = timezone.now() - started
        Meeting.objects.filter(pk=meeting.pk).update(
            starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2)
        )
        meeting.refresh_from_db()
        return meeting

    return make


@pytest.fixture
def coordinators(tree, make_staff):
    """Two coordinators of HJ (author and approver) and one of FR."""
    return {
        "author": make_staff(Role.COORDINATOR, tree["HJ"]),
        "approver": make_staff(Role.COORDINATOR, tree["HJ"]),
        "other": make_staff(Role.COORDINATOR, tree["FR"]),
    }


@pytest.fixture
def make_card(tree, coordinators):
    """make_card(slug=..., approve=True, title=...) -> a card of HJ, version 1 approved."""

    def make(slug="medarbejdere", *, approve=True, title="Handlekort for medarbejdere", **kw):
        return card_make(
            slug=slug,
            title=title,
            audience=kw.pop("audience", "staff"),
            org_unit=kw.pop("org_unit", tree["HJ"]),
            author=coordinators["author"],
            approver=coordinators["approver"] if approve else None,
        )

    return make


@pytest.fixture
def new_version(coordinators):
    """new_version(card, title=...) -> version n+1 of `card`, approved: n is superseded."""

    def make(card, *, title="Handlekort for medarbejdere, opdateret"):
        draft = services.version_draft_create(card=card, by=coordinators["author"])
        services.version_update(
            version=draft, title=title, change_note="Nyt nummer", by=coordinators["author"]
        )
        services.version_approve(version=draft, by=coordinators["approver"])
        card.refresh_from_db()
        draft.refresh_from_db()
        return draft

    return make


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


@pytest.fixture
def make_request(cast):
    """make_request(by=cast.institution, unit=HJ-GYM, **fields) -> a submitted request."""

    def make(*, by=None, unit=None, **fields) -> MeetingRequest:
        return request_make(by=by or cast.institution, unit=unit or cast.units["HJ-GYM"], **fields)

    return make
