"""Exports read as the admin does: yes/no in Danish, not Python's True/False (issue 8, item 1)."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from lms.people.models import Role
from tests.factories import PersonFactory


@pytest.fixture
def coordinator(client, tree, make_staff, mfa):
    user = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    client.force_login(user)
    return user


def test_person_export_says_ja_and_nej(client, coordinator, tree):
    PersonFactory(org_unit=tree["HJ-SKOLE"], name="Aktiv Person", active=True)
    PersonFactory(
        org_unit=tree["HJ-SKOLE"],
        name="Fratrådt Person",
        active=False,
        left_on=dt.date(2026, 1, 31),
    )

    response = client.get(reverse("persons:index"), {"export": "csv"})
    rows = {
        row["Navn"]: row
        for row in csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig")))
    }
    assert rows["Aktiv Person"]["Aktiv"] == "Ja"
    assert rows["Fratrådt Person"]["Aktiv"] == "Nej"
    # An empty date is an empty cell, not "None".
    assert "None" not in {v for row in rows.values() for v in row.values()}

    response = client.get(reverse("persons:index"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    values = list(sheet.iter_rows(values_only=True))
    heading = list(values[0])
    by_name = {row[heading.index("Navn")]: row for row in values[1:]}
    assert by_name["Aktiv Person"][heading.index("Aktiv")] == "Ja"
    assert by_name["Fratrådt Person"][heading.index("Aktiv")] == "Nej"
    assert "None" not in {v for row in values for v in row if isinstance(v, str)}
