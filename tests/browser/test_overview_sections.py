"""The steering group opens "Overblik" in Chromium and reads the sections below the coverage:
outreach, courses, newsletters and the concern counts, each chart drawn from the platform's own
plotly.js with its table beside it; it narrows the period (kept in the URL) and axe-core finds
nothing on the page with every chart on it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from lms.people.models import Role
from tests.reports.sections_builders import PREV, sections_build

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


def test_the_steering_group_reads_the_outreach_courses_newsletters_and_concerns(
    page, site, tree, make_user
):
    from playwright.sync_api import expect

    sections_build(tree)
    user = make_user("styregruppe@example.dk", role=Role.STEERING_GROUP, unit=tree["HJ"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    sign_in(page, user.email, totp_secret=secret)
    page.goto("/admin/overblik/")
    for heading in ("Udbredelse", "Kurser", "Nyhedsbreve", "Bekymringer"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    meetings = page.get_by_role("table", name="Afholdte informations- og dialogmøder")
    expect(meetings.get_by_role("row", name=PREV.label)).to_contain_text("<5")
    expect(page.locator("#overview-outreach").get_by_text("Opdateret kl.")).to_be_visible()
    for key in ("outreach", "courses", "newsletters", "concerns"):
        expect(
            page.locator(f"#overview-{key} [data-coverage-chart] .main-svg").first
        ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Fra halvår").select_option(PREV.key)
    page.get_by_label("Til halvår").select_option(PREV.key)
    page.get_by_role("button", name="Vis periode").click()
    assert f"from={PREV.key}" in page.url and f"to={PREV.key}" in page.url
    expect(page.locator("#overview-outreach")).to_contain_text(f"Periode: {PREV.label}.")
    assert_accessible(page)
