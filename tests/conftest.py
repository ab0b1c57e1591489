import pytest

from lms.people.models import OrgUnit, Role

from .factories import PersonFactory, RoleAssignmentFactory, UserFactory, org_unit


@pytest.fixture
def tree(db):
    """Two municipalities, each with an administration, a workplace and an institution.

    Returns a dict of units by code.
    """
    units = {}
    for m in ("HJ", "FR"):
        mun = org_unit(code=m, name=f"{m} Kommune", kind=OrgUnit.Kind.MUNICIPALITY)
        adm = org_unit(
            code=f"{m}-BFU", name=f"{m} BFU", kind=OrgUnit.Kind.ADMINISTRATION, parent=mun
        )
        wp = org_unit(code=f"{m}-SKOLE", name=f"{m} Skole", parent=adm)
        inst = org_unit(
            code=f"{m}-GYM", name=f"{m} Gymnasium", kind=OrgUnit.Kind.INSTITUTION, parent=mun
        )
        units.update({m: mun, f"{m}-BFU": adm, f"{m}-SKOLE": wp, f"{m}-GYM": inst})
    for unit in units.values():
        unit.refresh_from_db()
    return units


@pytest.fixture
def make_staff(db):
    """make_staff(role, unit) -> a verified user holding `role` over `unit`."""

    def make(role: Role, unit, **user_fields):
        user = UserFactory(**user_fields)
        RoleAssignmentFactory(user=user, role=role, org_unit=unit)
        return user

    return make


@pytest.fixture
def person_factory(db):
    return PersonFactory


@pytest.fixture
def mfa(db):
    """mfa(user) -> gives `user` an allauth TOTP authenticator (staff need it for /admin/)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    def activate(user):
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        return user

    return activate


@pytest.fixture(autouse=True)
def _celery_join_guard_reset():
    """Start every test with Celery's "never call get() within a task" guard down.

    Eager tasks raise that process-wide flag while they run and restore the value they found, so
    threads running eager tasks at once (the concurrency tests) can leave it raised for the tests
    that follow in the same process."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
