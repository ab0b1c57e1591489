"""The steering group opens "Overblik" in Chromium and reads the coverage trend: the line chart
(drawn by the platform's own plotly.js) beside its table, then downloads the half-year report
built for its meeting; axe-core finds nothing on the page with the charts on it."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from lms.people.models import Role
from reports.services.coverage import coverage_refresh
from reports.services.halfyear import halfyear_report_build
from reports.services.trend import trend_refresh
from tests.pdf import pdf_text
from tests.reports.builders import competences_make, jobs_make
from tests.reports.trend_builders import TODAY, trend_build, trend_more

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


def test_the_steering_group_reads_the_trend_and_downloads_the_report(page, site, tree, make_user):
    from playwright.sync_api import expect

    jobs, competences = jobs_make(), competences_make()
    trend_build(tree, jobs, competences)
    trend_more(tree, jobs, competences)
    coverage_refresh(today=TODAY)
    trend_refresh(today=TODAY)
    halfyear_report_build(unit=tree["HJ"], today=TODAY)
    user = make_user("styregruppe@example.dk", role=Role.STEERING_GROUP, unit=tree["HJ"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    sign_in(page, user.email, totp_secret=secret)
    page.goto("/admin/")
    # The home panel offers the report too.
    expect(page.get_by_role("link", name=re.compile("Hent halvårsrapporten")).first).to_be_visible()
    page.get_by_role("link", name="Overblik").first.click()
    expect(page.get_by_role("heading", name="Dækning pr. halvår")).to_be_visible()
    expect(
        page.locator('[data-coverage-chart="coverage-trend-figure"] .main-svg').first
    ).to_be_visible()
    table = page.get_by_role("table", name="Dækning pr. halvår")
    expect(table.get_by_role("row", name=re.compile("1. halvår 2025"))).to_contain_text("64,3 pct.")
    expect(table.get_by_role("row", name=re.compile("1. halvår 2026"))).to_contain_text("53,3 pct.")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Hent halvårsrapporten")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    text = pdf_text(open(download.path(), "rb").read())
    assert "Halvårsrapport 2. halvår 2026" in text and "HJ Kommune" in text
