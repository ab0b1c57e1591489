"""The "Overblik" page, its XLSX export and the names behind a gap: who sees what, what they see,
and a query count that does not grow with the number of units."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.services.coverage import coverage_refresh
from reports.viewsets.sections import sections_cache_forget
from tests.factories import PersonFactory, org_unit
from tests.reports.builders import TODAY
from tests.reports.sections_builders import SECTION_QUERIES

INDEX = "reports_coverage:index"


@pytest.fixture
def refreshed(coverage_data, roles):
    coverage_refresh(today=TODAY)
    return coverage_data


def get(client, user, name=INDEX, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_the_steering_group_sees_its_municipality_suppressed(client, refreshed, roles):
    response = get(client, roles["steering"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "HJ Kommune" in html and "HJ BFU" in html and "HJ Gymnasium" in html
    assert "&lt;5" in html
    # No names, and no way to them.
    assert "Anna Andersen" not in html
    assert reverse("reports_coverage:gaps") not in html
    assert response.context["overview"].suppressed is True
    # The chart's figures go in a JSON script, drawn by a static file; plotly.js is our own.
    assert 'id="coverage-unit-figure" type="application/json"' in html
    assert "reports/vendor/plotly.min.js" in html and "reports/coverage.js" in html
    assert "opdateret kl." in html.lower()


def test_the_steering_group_may_not_open_names(client, refreshed, roles):
    signs = refreshed["competences"]["signs"]
    response = get(client, roles["steering"], "reports_coverage:gaps", competence=signs.pk)
    # Wagtail's admin turns the refusal into a redirect to its home with a message.
    assert response.status_code in (302, 403)
    assert "Bent Berg" not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "٣", "abc", "-1", "99999999999999999999"])
def test_a_malformed_id_in_the_query_string_is_no_server_error(client, refreshed, roles, value):
    """Not plain ASCII digits ("²" passes str.isdigit() but not int()): the unit asked for is a
    clear 400; a filter's nonsense is ignored, as the admin's list filters do."""
    for name in (INDEX, "reports_coverage:export", "reports_coverage:gaps"):
        response = get(client, roles["coordinator"], name, unit=value)
        assert response.status_code == 400, (name, value)
    for param in ("competence", "job_category"):
        response = get(client, roles["coordinator"], INDEX, **{param: value})
        assert response.status_code == 200, (param, value)
        assert response.context["overview"].unit.code == "HJ"


@pytest.mark.parametrize("role", ["steering", "contact", "institution"])
def test_another_municipality_is_not_found(client, refreshed, roles, role):
    fr = refreshed["tree"]["FR"]
    assert get(client, roles[role], unit=fr.pk).status_code == 404
    assert get(client, roles[role], "reports_coverage:export", unit=fr.pk).status_code == 404


def test_a_foreign_steering_group_sees_only_its_own(client, refreshed, roles):
    response = get(client, roles["foreign"])
    assert response.context["overview"].unit.code == "FR"
    assert "HJ Kommune" not in response.content.decode()
    hj = refreshed["tree"]["HJ"]
    assert get(client, roles["foreign"], unit=hj.pk).status_code == 404


def test_a_department_contact_sees_their_administration(client, refreshed, roles):
    response = get(client, roles["contact"])
    overview = response.context["overview"]
    assert overview.unit.code == "HJ-BFU"
    assert [row.label for row in overview.by_unit] == ["HJ Skole"]
    hj = refreshed["tree"]["HJ"]
    assert get(client, roles["contact"], unit=hj.pk).status_code == 404


def test_an_institution_coordinator_sees_their_institution(client, refreshed, roles):
    overview = get(client, roles["institution"]).context["overview"]
    assert overview.unit.code == "HJ-GYM"
    assert overview.suppressed is True


def test_the_coordinator_sees_figures_and_the_names_one_click_further(client, refreshed, roles):
    response = get(client, roles["coordinator"])
    overview = response.context["overview"]
    assert overview.suppressed is False
    html = response.content.decode()
    # The coverage tables (the concern counts below them are suppressed for everyone).
    assert "&lt;5" not in html.split('id="overview-period"')[0]
    # Danish numbers: a decimal comma and "pct." (HJ Gymnasium: 1 of 2).
    assert "50,0 pct." in html
    gaps_link = overview.by_unit[1].gaps_url
    names = client.get(gaps_link)
    assert names.status_code == 200
    text = names.content.decode()
    assert "Bent Berg" in text and "Dorte Dahl" in text
    # Valid for more than 90 days, or left: not on the list.
    assert "Anna Andersen" not in text and "Frida Fisker" not in text


def test_drill_down_link_and_filters_in_the_url(client, refreshed, roles):
    response = get(client, roles["steering"])
    bfu = response.context["overview"].by_unit[1]
    assert bfu.url.startswith(reverse(INDEX) + "?")
    drilled = client.get(bfu.url)
    assert drilled.context["overview"].unit.code == "HJ-BFU"
    jobs = refreshed["jobs"]
    filtered = get(client, roles["steering"], job_category=jobs["teacher"].pk, reach="external")
    overview = filtered.context["overview"]
    assert [row.label for row in overview.by_unit] == ["HJ Gymnasium"]
    # Nonsense in the URL is ignored, not an error.
    assert get(client, roles["steering"], reach="x", job_category="abc").status_code == 200


def test_no_role_no_page(client, refreshed, mfa):
    from tests.factories import UserFactory

    client.force_login(mfa(UserFactory()))
    response = client.get(reverse(INDEX))
    assert response.status_code in (302, 403)
    assert "HJ Kommune" not in response.content.decode()


def test_the_menu_item_and_home_panel(client, refreshed, roles):
    client.force_login(roles["steering"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(INDEX) in home
    assert "Kender bekymringstegn" in home  # the panel's summary
    client.force_login(roles["coordinator"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(INDEX) in home  # the menu item


def rows_of(sheet):
    return list(sheet.iter_rows(values_only=True))


def test_the_xlsx_export_is_the_table_with_danish_headers(client, refreshed, roles):
    response = get(client, roles["coordinator"], "reports_coverage:export")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="daekning-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = rows_of(sheet)
    assert rows[0][:2] == ("Dækning i forhold til krav", "HJ Kommune")
    assert rows[1][0] == "Beregnet"
    assert rows[1][1] is not None and hasattr(rows[1][1], "hour")
    header = next(row for row in rows if row and row[0] == "Enhed")
    assert header[:8] == (
        "Enhed",
        "Ekstern",
        "Gyldig",
        "Udløber inden for 90 dage",
        "Udløbet",
        "Mangler",
        "Påkrævet",
        "Dækning (pct.)",
    )
    by_row = {row[0]: row for row in rows if row}
    assert by_row["HJ BFU"][1:8] == ("Nej", 3, 2, 1, 3, 9, 55.6)
    assert by_row["HJ Gymnasium"][1:8] == ("Ja", 1, 0, 0, 1, 2, 50.0)


def test_the_xlsx_export_is_suppressed_for_the_steering_group(client, refreshed, roles):
    response = get(client, roles["steering"], "reports_coverage:export")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [v for row in rows_of(sheet)[3:] for v in row[1:] if v is not None]
    assert "<5" in values
    assert not any(isinstance(v, int) and 0 < v < 5 for v in values)


# Whatever the number of units: the session, the user and their roles, the scope unit, the cells
# by child unit and by job category, the competences, the child units, the job categories, the
# breadcrumbs' ancestors, and the Wagtail admin's own reads around the page; the trend's units,
# sums and competences, and the newest half-year report (4, reports.viewsets.trend and .halfyear).
# The sections below the coverage (outreach, courses, newsletters, concerns) come from the cache
# (reports.viewsets.sections) but every few minutes, when they are computed afresh.
PAGE_QUERIES_CACHED = 22
PAGE_QUERIES = PAGE_QUERIES_CACHED + SECTION_QUERIES


def test_the_page_takes_the_same_queries_however_many_units(
    client, refreshed, roles, assert_queries, jobs
):
    tree = refreshed["tree"]
    client.force_login(roles["steering"])
    url = reverse(INDEX)

    def more_units(start: int, count: int):
        for n in range(start, start + count):
            unit = org_unit(code=f"HJ-X{n}", name=f"X {n}", parent=tree["HJ"])
            PersonFactory(org_unit=unit, job_category=jobs["teacher"])
            inner = org_unit(code=f"HJ-X{n}-Y", name=f"Y {n}", parent=unit)
            PersonFactory(org_unit=inner, job_category=jobs["pedagogue"])
        coverage_refresh(today=TODAY)

    def computed():
        # The sections computed afresh (the cache forgotten), everything else warm.
        sections_cache_forget()
        return assert_queries(PAGE_QUERIES, lambda: client.get(url), warm=False)

    more_units(0, 1)
    # Warm: within a few minutes the sections come from the cache, none of their queries.
    response = assert_queries(PAGE_QUERIES_CACHED, lambda: client.get(url))
    assert len(response.context["overview"].by_unit) == 3 + 1
    computed()
    more_units(1, 8)
    response = computed()
    assert_queries(PAGE_QUERIES_CACHED, lambda: client.get(url))
    assert len(response.context["overview"].by_unit) == 3 + 9
