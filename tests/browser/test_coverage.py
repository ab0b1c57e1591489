"""The steering group opens "Overblik" in Chromium: signs in with TOTP, filters by job category,
drills down into an administration by clicking, downloads the table as XLSX; the chart is drawn
from the platform's own plotly.js under the Content-Security-Policy, and axe-core finds nothing."""

import io

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from openpyxl import load_workbook

from lms.people.models import Role
from reports.services.coverage import coverage_refresh
from tests.reports.builders import TODAY, competences_make, coverage_build, jobs_make

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


def test_the_steering_group_reads_filters_drills_down_and_downloads(page, site, tree, make_user):
    from playwright.sync_api import expect

    coverage_data = coverage_build(tree, jobs_make(), competences_make())
    user = make_user("styregruppe@example.dk", role=Role.STEERING_GROUP, unit=tree["HJ"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    coverage_refresh(today=TODAY)

    sign_in(page, user.email, totp_secret=secret)
    page.goto("/admin/")
    page.get_by_role("link", name="Overblik").first.click()
    expect(page.get_by_role("heading", name="Overblik: HJ Kommune")).to_be_visible()
    expect(page.get_by_text("Opdateret kl.").first).to_be_visible()
    # The chart is drawn (plotly.js from our static files) beside its table.
    expect(page.locator("[data-coverage-chart] .main-svg").first).to_be_visible()
    units = page.get_by_role("table", name="Interne enheder")
    expect(units.get_by_role("row", name="HJ BFU")).to_contain_text("<5")
    assert_accessible(page)

    page.get_by_label("Jobkategori", exact=True).select_option(label="Pædagog (frontlinje)")
    page.get_by_role("button", name="Vis", exact=True).click()
    assert "job_category=" in page.url
    expect(page.get_by_label("Jobkategori", exact=True)).to_have_value(
        str(coverage_data["jobs"]["pedagogue"].pk)
    )
    page.get_by_role("link", name="Nulstil filtre").click()

    page.get_by_role("table", name="Interne enheder").get_by_role("link", name="HJ BFU").click()
    expect(page.get_by_role("heading", name="Overblik: HJ BFU")).to_be_visible()
    expect(page.locator("[data-coverage-chart] .main-svg").first).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Hent som XLSX").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(download.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Dækning i forhold til krav", "HJ BFU")
    assert any(row and row[0] == "HJ Skole" for row in rows)
