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
    from lms.people import demo

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
