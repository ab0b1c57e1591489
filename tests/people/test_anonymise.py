"""Anonymisation of people who left more than the retention period ago."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.models import ModelLogEntry

from lms.people import services, tasks
from lms.people.models import Person, Role
from tests.factories import PersonFactory, UserFactory

TODAY = dt.date(2025, 6, 1)


@pytest.fixture
def retention(settings):
    settings.LMS_PERSON_RETENTION_DAYS = 365
    return dt.timedelta(days=365)


def left(unit, days_ago: int, **fields):
    return PersonFactory(
        org_unit=unit, active=False, left_on=TODAY - dt.timedelta(days=days_ago), **fields
    )


def test_anonymises_only_those_past_retention(tree, retention):
    unit = tree["HJ-SKOLE"]
    user = UserFactory()
    old = left(unit, 400, name="Gammel Medarbejder", email="gammel@example.dk", user=user)
    boundary = left(unit, 365)  # exactly at the limit: kept
    recent = left(unit, 30)
    active = PersonFactory(org_unit=unit, manager=old)

    assert services.people_anonymise_expired(today=TODAY) == 1

    old.refresh_from_db()
    assert old.name == "Anonymiseret person"
    assert old.email == f"anonymised-{old.pk}@invalid"
    assert old.employee_number == ""
    assert old.user is None
    assert old.manager is None
    assert old.anonymised_at is not None
    assert old.org_unit == unit and old.left_on == TODAY - dt.timedelta(days=400)
    for person in (boundary, recent, active):
        fresh = Person.objects.get(pk=person.pk)
        assert fresh.anonymised_at is None
        assert fresh.name == person.name
    # Nobody reports to an anonymised person.
    active.refresh_from_db()
    assert active.manager is None


def test_is_idempotent_and_never_deletes(tree, retention):
    people = [left(tree["HJ-SKOLE"], 500) for _ in range(3)]
    count = Person.objects.count()
    assert services.people_anonymise_expired(today=TODAY) == 3
    stamps = {p.pk: Person.objects.get(pk=p.pk).anonymised_at for p in people}
    assert services.people_anonymise_expired(today=TODAY) == 0
    assert Person.objects.count() == count
    assert {p.pk: Person.objects.get(pk=p.pk).anonymised_at for p in people} == stamps
    assert ModelLogEntry.objects.filter(action="lms.person.anonymise").count() == 3


def test_log_entries_carry_no_personal_data(tree, retention):
    person = left(tree["HJ-SKOLE"], 500, name="Hemmelig Hansen", email="hemmelig@example.dk")
    services.person_update(person=person, name="Hemmelig H. Hansen")
    services.people_anonymise_expired(today=TODAY)
    for entry in ModelLogEntry.objects.filter(object_id=str(person.pk)):
        blob = (json.dumps(entry.data) + entry.label).lower()
        assert "hemmelig" not in blob and "hansen" not in blob


def test_retention_setting_is_honoured(tree, settings):
    settings.LMS_PERSON_RETENTION_DAYS = 10
    person = left(tree["HJ-SKOLE"], 11)
    assert services.people_anonymise_expired(today=TODAY) == 1
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_many_people_in_chunks(tree, retention):
    Person.objects.bulk_create(
        Person(
            name=f"P{i}",
            email=f"p{i}@example.dk",
            org_unit=tree["HJ-SKOLE"],
            active=False,
            left_on=TODAY - dt.timedelta(days=800),
        )
        for i in range(520)
    )
    assert services.people_anonymise_expired(today=TODAY) == 520
    assert not Person.objects.filter(anonymised_at__isnull=True).exists()


def test_the_task_runs_the_service(tree, retention, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: TODAY)
    person = left(tree["HJ-SKOLE"], 500)
    result = tasks.anonymise_expired_people.delay()
    assert result.get(disable_sync_subtasks=False) == 1
    person.refresh_from_db()
    assert person.anonymised_at is not None


@pytest.mark.django_db(transaction=True)
def test_beat_installs_the_daily_task():
    # transaction=True: the scheduler closes database connections, which a test transaction
    # would not survive on PostgreSQL.
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from lms.celery import app

    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    assert any(e["task"] == tasks.anonymise_expired_people.name for e in entries)
    DatabaseScheduler(app=app, lazy=False)
    task = PeriodicTask.objects.get(task=tasks.anonymise_expired_people.name)
    assert task.enabled and task.crontab is not None


def test_person_anonymise_single_refuses_active_and_outside_scope(tree, make_staff):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    active = PersonFactory(org_unit=tree["HJ-SKOLE"])
    with pytest.raises(ValidationError):
        services.person_anonymise(person=active, by=coordinator)
    outside = left(tree["FR-SKOLE"], 10)
    with pytest.raises(ValidationError):
        services.person_anonymise(person=outside, by=coordinator)
    assert not Person.objects.filter(anonymised_at__isnull=False).exists()
    inside = left(tree["HJ-SKOLE"], 10)
    services.person_anonymise(person=inside, by=coordinator)
    inside.refresh_from_db()
    assert inside.anonymised_at is not None
    # An anonymised row cannot be given its data back through the update service.
    with pytest.raises(ValidationError):
        services.person_update(person=inside, by=coordinator, name="Tilbage")


# --- The linked account ------------------------------------------------------------------------


def linked_account(unit, days_ago: int):
    """A person who left, with a login, a confirmed allauth address, an SSO link and a role."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from lms.people.models import RoleAssignment

    user = UserFactory(email="karen.hemmelig@example.dk", first_name="Karen", last_name="Hemmelig")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    SocialAccount.objects.create(user=user, provider="openid_connect", uid="karen-sub")
    RoleAssignment.objects.create(user=user, role=Role.COORDINATOR, org_unit=unit)
    person = left(unit, days_ago, email=user.email, user=user, name="Karen Hemmelig")
    return person, user


def assert_account_anonymised(user, person):
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    from lms.people.models import RoleAssignment

    user.refresh_from_db()
    assert not user.is_active
    assert user.email == f"anonymised-user-{user.pk}@invalid"
    assert (user.first_name, user.last_name) == ("", "")
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not SocialAccount.objects.filter(user=user).exists()
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not Person.objects.filter(user=user).exists()
    # Every log entry written on the way carries ids only.
    for entry in ModelLogEntry.objects.all():
        blob = (json.dumps(entry.data) + entry.label).lower()
        assert "karen" not in blob and "hemmelig" not in blob
    entry = ModelLogEntry.objects.get(action="lms.person.anonymise", object_id=str(person.pk))
    assert entry.data["user_id"] == user.pk


def test_retention_anonymises_and_closes_the_linked_account(tree, retention, client):
    person, user = linked_account(tree["HJ-SKOLE"], 500)
    bystander = UserFactory(first_name="Bo")
    assert services.people_anonymise_expired(today=TODAY) == 1
    assert_account_anonymised(user, person)
    bystander.refresh_from_db()
    assert bystander.is_active and bystander.first_name == "Bo"
    # Neither the old password nor the old address signs in any more.
    assert not client.login(email="karen.hemmelig@example.dk", password="korrekt-hest-batteri")


def test_person_anonymise_closes_the_linked_account(tree, make_staff):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    person, user = linked_account(tree["HJ-SKOLE"], 10)
    services.person_anonymise(person=person, by=coordinator)
    assert_account_anonymised(user, person)
    # Idempotent: a second call changes nothing and logs nothing more.
    count = ModelLogEntry.objects.count()
    services.person_anonymise(person=person, by=coordinator)
    assert ModelLogEntry.objects.count() == count
