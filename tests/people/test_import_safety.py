"""Imports refuse what they must not do on their own: mark the wrong people left, act for a user
outside their area, and keep uploaded rosters longer than the preview needs."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.importflow import import_files_delete_stale
from lms.people import tasks
from lms.people.models import OrgUnit, Person, Role
from lms.people.services.org_unit_import import org_units_import
from lms.people.services.roster_import import roster_import
from tests.factories import PersonFactory, UserFactory, org_unit

HEADER = "employee_number,name,email,org_unit_code,job_category\r\n"
ONE_ROW = HEADER + "1001,Anne Sørensen,anne@hjoerring.dk,HJ-SKOLE,\r\n"
UNITS = "code,name,kind,parent_code\r\nHJ-NY,Ny enhed,workplace,HJ-BFU\r\n"


def snapshot():
    return sorted(Person.objects.values_list("pk", "active", "left_on", "name", "org_unit_id"))


def units_snapshot():
    return sorted(OrgUnit.objects.values_list("pk", "code", "name", "kind", "path"))


@pytest.fixture
def staff(tree):
    """One active person in every unit of the tree, by unit code."""
    return {code: PersonFactory(org_unit=unit) for code, unit in tree.items()}


# --- Mark missing as left: no scope with several municipalities -------------------------------


def test_mark_missing_without_scope_and_several_roots_is_refused(tree, staff):
    before = snapshot()
    for dry_run in (True, False):
        result = roster_import(source=ONE_ROW.encode(), mark_missing_as_left=True, dry_run=dry_run)
        assert not result.ok
        [error] = result.errors
        assert "--scope" in error.message and "Intet er ændret" in error.message
        assert (result.created, result.marked_left) == (0, 0)
    assert snapshot() == before
    assert not ModelLogEntry.objects.filter(action__startswith="lms.person.import").exists()


def test_mark_missing_without_scope_is_fine_with_one_root(db):
    hj = org_unit(code="HJ", kind=OrgUnit.Kind.MUNICIPALITY)
    skole = org_unit(code="HJ-SKOLE", parent=hj)
    gone = PersonFactory(org_unit=skole)
    result = roster_import(source=ONE_ROW.encode(), mark_missing_as_left=True)
    assert result.ok, result.errors
    assert (result.created, result.marked_left) == (1, 1)
    gone.refresh_from_db()
    assert not gone.active


def test_without_mark_missing_no_scope_is_needed(tree, staff):
    result = roster_import(source=ONE_ROW.encode())
    assert result.ok and result.created == 1
    assert Person.objects.filter(active=False).count() == 0


def test_the_command_names_the_scope_option(tree, staff, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "roster.csv"
    path.write_text(ONE_ROW, encoding="utf-8")
    before = snapshot()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--mark-missing-as-left")
    assert snapshot() == before
    call_command("import_roster", str(path), "--mark-missing-as-left", "--scope", "HJ")
    assert not Person.objects.get(pk=staff["HJ-BFU"].pk).active


# --- Mark missing as left: never into external units ------------------------------------------


@pytest.fixture
def partner_subtree(tree):
    """A partner unit with a workplace below it, under HJ."""
    partner = org_unit(code="HJ-PARTNER", kind=OrgUnit.Kind.PARTNER, parent=tree["HJ"])
    below = org_unit(code="HJ-PARTNER-AFD", parent=partner)
    return partner, below


def test_municipal_import_never_marks_external_staff_left(tree, staff, partner_subtree):
    partner, below = partner_subtree
    external = [
        staff["HJ-GYM"],  # institution
        PersonFactory(org_unit=partner),  # partner
        PersonFactory(org_unit=below),  # inside a partner's subtree
    ]
    result = roster_import(source=ONE_ROW.encode(), mark_missing_as_left=True, scope=tree["HJ"])
    assert result.ok, result.errors
    left = set(Person.objects.filter(active=False).values_list("pk", flat=True))
    assert left == {staff["HJ"].pk, staff["HJ-BFU"].pk, staff["HJ-SKOLE"].pk}
    assert result.marked_left == 3
    assert all(Person.objects.get(pk=p.pk).active for p in external)
    assert {c.key for c in result.changes if c.action == "left"} == {
        staff[code].employee_number for code in ("HJ", "HJ-BFU", "HJ-SKOLE")
    }


def test_import_scoped_to_an_external_unit_marks_its_own_people(tree, staff, partner_subtree):
    partner, below = partner_subtree
    inside = [PersonFactory(org_unit=partner), PersonFactory(org_unit=below)]
    rows = HEADER + "P1,Ny Partner,ny@partner.dk,HJ-PARTNER,\r\n"
    result = roster_import(source=rows.encode(), mark_missing_as_left=True, scope=partner)
    assert result.ok, result.errors
    assert result.marked_left == 2
    assert not any(Person.objects.get(pk=p.pk).active for p in inside)
    # Nobody outside the partner's subtree is touched.
    assert all(Person.objects.get(pk=p.pk).active for p in staff.values())
    # The same holds for a scope inside an external subtree, and for an institution.
    rows = HEADER + "G1,Ny Lærer,ny@gym.dk,HJ-GYM,\r\n"
    result = roster_import(source=rows.encode(), mark_missing_as_left=True, scope=tree["HJ-GYM"])
    assert result.marked_left == 1
    assert not Person.objects.get(pk=staff["HJ-GYM"].pk).active


# --- The services check the policy themselves ------------------------------------------------


@pytest.mark.parametrize("dry_run", [True, False])
def test_roster_import_refuses_a_user_outside_the_scope(tree, staff, make_staff, dry_run):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ"])
    before = snapshot()
    refusals = [
        (hj, tree["FR"]),  # another municipality
        (hj, None),  # the whole tree: superusers only
        (contact, tree["HJ"]),  # no import grant
        (UserFactory(), tree["HJ-SKOLE"]),  # no role at all
    ]
    for user, scope in refusals:
        result = roster_import(
            source=ONE_ROW.encode(),
            by=user,
            scope=scope,
            dry_run=dry_run,
            mark_missing_as_left=True,
        )
        assert not result.ok, (user, scope)
        assert [e.message for e in result.errors] == [
            "Du må ikke importere til dette område. Intet er ændret."
        ]
    assert snapshot() == before
    assert not ModelLogEntry.objects.filter(action__startswith="lms.person.import").exists()


def test_roster_import_allowed_in_scope_and_for_superusers(tree, staff, make_staff):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    result = roster_import(source=ONE_ROW.encode(), by=hj, scope=tree["HJ"])
    assert result.ok and result.created == 1
    superuser = UserFactory(is_superuser=True)
    rows = HEADER + "1002,Bo,bo@fr.dk,FR-SKOLE,\r\n"
    assert roster_import(source=rows.encode(), by=superuser).created == 1
    # `by=None` is the system (the command, the demo): no policy to ask.
    rows = HEADER + "1003,Cai,cai@fr.dk,FR-SKOLE,\r\n"
    assert roster_import(source=rows.encode()).created == 1


def test_roster_import_refuses_a_coordinator_who_left(tree, staff, make_staff):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=hj, active=False, left_on=dt.date(2025, 1, 1))
    result = roster_import(source=ONE_ROW.encode(), by=hj, scope=tree["HJ"])
    assert not result.ok


@pytest.mark.parametrize("dry_run", [True, False])
def test_org_units_import_refuses_a_user_outside_the_scope(tree, make_staff, dry_run):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    institution = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ"])  # no ORGUNIT_MANAGE
    before = units_snapshot()
    for user, scope in [(hj, tree["FR"]), (hj, None), (institution, tree["HJ"])]:
        result = org_units_import(source=UNITS.encode(), by=user, scope=scope, dry_run=dry_run)
        assert not result.ok, (user, scope)
        assert result.errors[0].message.startswith("Du må ikke importere til dette område")
    assert units_snapshot() == before
    assert not ModelLogEntry.objects.filter(action__startswith="lms.orgunit.import").exists()
    result = org_units_import(source=UNITS.encode(), by=hj, scope=tree["HJ"], dry_run=dry_run)
    assert result.ok and result.created == 1


# --- Uploaded files are kept privately, and not for long --------------------------------------


@pytest.fixture
def imports_storage():
    storage = storages["imports"]
    for name in storage.listdir("")[1]:
        storage.delete(name)
    return storage


def test_stale_import_files_are_deleted(imports_storage):
    old = imports_storage.save("old", ContentFile(b"roster"))
    fresh = imports_storage.save("fresh", ContentFile(b"roster"))
    # InMemoryStorage keeps the modification time on the file node: age one file by 25 hours.
    imports_storage._resolve(old).modified_time = timezone.now() - dt.timedelta(hours=25)
    assert import_files_delete_stale() == 1
    assert not imports_storage.exists(old)
    assert imports_storage.exists(fresh)
    # Idempotent, and a file younger than 24 hours stays.
    assert import_files_delete_stale() == 0
    assert import_files_delete_stale(now=timezone.now() + dt.timedelta(hours=23)) == 0
    assert imports_storage.exists(fresh)


def test_the_hourly_task_deletes_stale_files(imports_storage, monkeypatch):
    name = imports_storage.save("abandoned", ContentFile(b"roster"))
    later = timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr("lms.importflow.timezone.now", lambda: later)
    assert tasks.delete_stale_import_files() == 1
    assert not imports_storage.exists(name)


def test_file_system_storage_is_private_and_cleaned(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "imports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private" / "imports")},
        },
    }
    # Nothing uploaded yet: no folder, nothing to do.
    assert import_files_delete_stale() == 0
    storage = storages["imports"]
    name = storage.save("roster", ContentFile(b"1001;Anne"))
    assert (tmp_path / "private" / "imports" / name).exists()
    assert import_files_delete_stale() == 0
    assert import_files_delete_stale(now=timezone.now() + dt.timedelta(hours=25)) == 1
    assert not (tmp_path / "private" / "imports" / name).exists()


def test_settings_keep_imports_out_of_media():
    from pathlib import Path

    from django.conf import settings

    from lms.settings import base

    location = Path(base.STORAGES["imports"]["OPTIONS"]["location"])
    assert location == base.VAR_DIR / "private" / "imports"
    assert not location.is_relative_to(Path(base.MEDIA_ROOT))
    assert settings.STORAGES["imports"]["BACKEND"].endswith("InMemoryStorage")


@pytest.mark.django_db(transaction=True)
def test_beat_installs_the_hourly_cleanup():
    from django.conf import settings
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from lms.celery import app

    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == tasks.delete_stale_import_files.name
    ]
    assert entry["schedule"].hour == set(range(24))  # every hour
    DatabaseScheduler(app=app, lazy=False)
    task = PeriodicTask.objects.get(task=tasks.delete_stale_import_files.name)
    assert task.enabled and task.crontab is not None
