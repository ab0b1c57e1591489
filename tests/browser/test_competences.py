"""An employee reads "Mine kompetencer" in a real browser, in Danish; axe-core finds no WCAG 2.1
A/AA violations on the page."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from lms.competence.models import Evidence
from lms.competence.selectors.status import EXPIRING_WITHIN_DAYS
from lms.competence.services import evidence as services
from tests.factories import CompetenceFactory, requirement

from .conftest import PASSWORD, axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


def danish(day: dt.date) -> str:
    with translation.override("da"):
        return date_format(day, "j. F Y")


def test_employee_sees_required_competences_and_evidence(page, site, municipality, make_user):
    school = municipality["HJK-BAG"]
    user = make_user("medarbejder@example.dk", person_unit=school)
    person = user.person
    signs = CompetenceFactory(code="SIGNS", name="Kender bekymringstegn", validity_months=24)
    refresher = CompetenceFactory(code="REFRESH", name="Genopfriskning", validity_months=12)
    passing_on = CompetenceFactory(
        code="PASS_ON", name="Ved hvordan en bekymring videregives", validity_months=None
    )
    for competence in (signs, refresher, passing_on):
        requirement(
            competence=competence,
            org_unit=municipality["HJK"],
            job_categories=[person.job_category],
        )
    today = timezone.localdate()
    signs_on = today - dt.timedelta(days=30)
    services.evidence_record(
        person=person,
        competence=signs,
        source=Evidence.Source.MEETING,
        source_reference="meeting:1",
        achieved_on=signs_on,
    )
    # Achieved so that it expires within the warning period: shown as expiring.
    refresher_on = services.add_months(today + dt.timedelta(days=EXPIRING_WITHIN_DAYS // 2), -12)
    services.evidence_record(
        person=person,
        competence=refresher,
        source=Evidence.Source.EXTERNAL_SIRI,
        source_reference="siri:7",
        achieved_on=refresher_on,
    )
    signs_until = services.add_months(signs_on, 24)
    refresher_until = services.add_months(refresher_on, 12)

    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    nav.get_by_role("link", name="Mine kompetencer").click()

    expect(page).to_have_url(re.compile(r"/mine-kompetencer/$"))
    expect(page.get_by_role("heading", level=1, name="Mine kompetencer")).to_be_visible()
    expect(nav.get_by_role("link", name="Mine kompetencer")).to_have_attribute(
        "aria-current", "page"
    )

    required = page.get_by_role("table", name="De kompetencer dit job kræver, og om du har dem")
    expect(required.get_by_role("columnheader")).to_have_text(["Kompetence", "Status"])

    def status_of(name: str):
        return (
            required.get_by_role("row")
            .filter(has=page.get_by_role("rowheader", name=name, exact=True))
            .get_by_role("cell")
        )

    expect(status_of("Kender bekymringstegn")).to_have_text(f"Gyldig til {danish(signs_until)}")
    expect(status_of("Genopfriskning")).to_have_text(
        f"Udløber snart: gyldig til {danish(refresher_until)}"
    )
    expect(status_of("Ved hvordan en bekymring videregives")).to_have_text("Mangler")

    evidence = page.get_by_role(
        "table", name="Alt, der er registreret som dokumentation for dine kompetencer"
    )
    expect(evidence.get_by_role("columnheader")).to_have_text(
        ["Kompetence", "Kilde", "Opnået", "Gyldig til"]
    )
    rows = evidence.locator("tbody tr")
    expect(rows).to_have_count(2)
    signs_row = rows.filter(has=page.get_by_role("rowheader", name="Kender bekymringstegn"))
    expect(signs_row.get_by_role("cell")).to_have_text(
        ["Deltagelse i møde", danish(signs_on), danish(signs_until)]
    )
    refresher_row = rows.filter(has=page.get_by_role("rowheader", name="Genopfriskning"))
    expect(refresher_row.get_by_role("cell").first).to_contain_text("SIRI")

    violations = axe_violations(page)
    assert violations == [], describe(violations)
