"""load_demo_data with broken data: all or nothing. Kept apart from test_load_demo_data.py,
whose module-wide demo data would otherwise be present here."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lms.people.models import JobCategory, OrgUnit, Person, User


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def test_bad_demo_data_changes_nothing(db, monkeypatch):
    """The roster import is all or nothing, and so is the whole load around it."""
    from lms.people.demo import people as demo

    good = demo.roster_frame

    def broken():
        frame = good()
        frame.loc[10, "email"] = "not-an-email"
        return frame

    monkeypatch.setattr(demo, "roster_frame", broken)
    units_before = OrgUnit.objects.count()

    with pytest.raises(CommandError, match="roster"):
        load()

    assert OrgUnit.objects.count() == units_before
    assert not Person.objects.exists()
    assert not User.objects.exists()
    assert not JobCategory.objects.exists()


def test_refuses_unless_the_settings_allow_it(db, settings):
    """Known passwords (a superuser among them) must never reach a real installation."""
    settings.LMS_DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="LMS_DEMO_DATA_ALLOWED") as excinfo:
        load()
    assert "superuser" in str(excinfo.value)
    assert not User.objects.exists()
    assert not OrgUnit.objects.exists()
    assert not Person.objects.exists()


def test_only_dev_and_test_settings_allow_it():
    import importlib

    # Production is checked in a subprocess (tests/ops/test_settings.py): it needs its secrets.
    assert importlib.import_module("lms.settings.test").LMS_DEMO_DATA_ALLOWED is True
    assert importlib.import_module("lms.settings.dev").LMS_DEMO_DATA_ALLOWED is True
    assert importlib.import_module("lms.settings.base").LMS_DEMO_DATA_ALLOWED is False
