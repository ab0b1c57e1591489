"""The trend on "Overblik": the chart's figures and its table, for each role, suppressed for
whoever may not see names, filtered by the URL, and its XLSX export."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lms.people.models import Role
from reports.services.coverage import coverage_refresh
from reports.services.trend import trend_refresh
from tests.reports.trend_builders import TODAY, trend_build, trend_more

INDEX = "reports_coverage:index"
EXPORT = "reports_trend:export"


@pytest.fixture
def trend_data(tree, jobs, competences):
    data = trend_build(tree, jobs, competences)
    trend_more(tree, jobs, competences)
    coverage_refresh(today=TODAY)
    trend_refresh(today=TODAY)
    return data


@pytest.fixture
def staff(trend_data, make_staff, mfa):
    tree = trend_data["tree"]
    return {
        "steering": mfa(make_staff(Role.STEERING_GROUP, tree["HJ"])),
        "coordinator": mfa(make_staff(Role.COORDINATOR, tree["HJ"])),
        "contact": mfa(make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])),
        "institution": mfa(make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])),
        "foreign": mfa(make_staff(Role.STEERING_GROUP, tree["FR"])),
    }


def get(client, user, name=INDEX, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def trend_rows(response) -> dict[str, list[str]]:
    context = response.context
    return {row["period"].label: row["cells"] for row in context["trend_rows"]}


def test_the_steering_group_sees_the_trend_chart_and_table(client, staff):
    response = get(client, staff["steering"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="coverage-trend-figure" type="application/json"' in html
    assert 'id="coverage-trend-table"' in html
    rows = trend_rows(response)
    assert rows["1. halvår 2025"] == ["64,3 pct."]
    assert rows["2. halvår 2025"] == ["60,0 pct."]
    assert rows["1. halvår 2026"] == ["53,3 pct."]
    assert rows["2. halvår 2026"] == ["60,0 pct."]
    assert "Dækning pr. halvår" in html and "indtil nu" in html
    figure = response.context["trend_figure"]
    assert figure["layout"]["separators"] == ",."
    assert figure["layout"]["yaxis"]["ticksuffix"] == " pct."
    assert figure["data"][0]["y"][0] == pytest.approx(900 / 14)


def test_small_groups_are_suppressed_for_the_steering_group(client, staff):
    # The external institution alone: one person, in every half-year.
    response = get(client, staff["steering"], reach="external")
    assert set(trend_rows(response)["1. halvår 2025"]) == {"–"}
    assert response.context["trend_figure"]["data"][0]["y"][0] is None


LEGEND = "En dækningsgrad, der ikke vises"


def test_a_hidden_share_reads_a_dash_in_the_trend_as_in_the_coverage_tables(client, staff):
    """A hidden share is not a count: the trend shows "–" with the legend, as the coverage
    tables do, never "<5" (which would read as "fewer than five per cent")."""
    response = get(client, staff["steering"], reach="external")
    html = response.content.decode()
    table = html[html.index('id="coverage-trend-table"') :]
    table = table[: table.index("</table>")]
    assert "–" in table and "&lt;5" not in table
    trend = html[html.index('id="coverage-trend-heading"') :]
    assert LEGEND in trend[: trend.index("</section>")]


def test_no_legend_for_whoever_sees_every_figure(client, staff):
    html = get(client, staff["coordinator"], reach="external").content.decode()
    trend = html[html.index('id="coverage-trend-heading"') :]
    assert LEGEND not in trend[: trend.index("</section>")]


def test_the_coordinator_sees_small_groups(client, staff):
    response = get(client, staff["coordinator"], reach="external")
    assert trend_rows(response)["1. halvår 2025"] == ["100,0 pct."]


def test_a_department_contact_sees_their_administration(client, staff):
    response = get(client, staff["contact"])
    assert response.status_code == 200
    assert response.context["trend"].unit.code == "HJ-BFU"
    # HJ-BFU holds only HJ-SKOLE: 8 of 13 in the first half-year (HJ without the institution).
    assert trend_rows(response)["1. halvår 2025"] == ["61,5 pct."]


def test_the_institution_coordinator_sees_only_the_institution(client, staff):
    response = get(client, staff["institution"])
    assert response.context["trend"].unit.code == "HJ-GYM"
    assert set(trend_rows(response)["1. halvår 2025"]) == {"–"}


def test_the_foreign_municipality_sees_its_own_and_not_ours(client, staff, trend_data):
    response = get(client, staff["foreign"])
    assert response.context["trend"].unit.code == "FR"
    hj = trend_data["tree"]["HJ"]
    assert get(client, staff["foreign"], unit=hj.pk).status_code == 404
    assert get(client, staff["foreign"], EXPORT, unit=hj.pk).status_code == 404


def test_the_filters_apply_to_the_trend(client, staff, trend_data):
    office = trend_data["jobs"]["office"]
    response = get(client, staff["steering"], job_category=office.pk)
    assert response.context["trend"].series == []
    assert "Der er endnu ikke beregnet tal for udviklingen" in response.content.decode()


def test_the_trend_export(client, staff):
    response = get(client, staff["steering"], EXPORT)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="daekning-udvikling-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(
        ["Halvår", "Fra", "Opgjort pr.", "Kompetence", "Gyldig", "Påkrævet", "Dækning (pct.)"]
    )
    body = rows[header + 1 : header + 5]
    assert body[0][:2] == ["1. halvår 2025", dt.datetime(2025, 1, 1)]
    assert body[0][2] == dt.datetime(2025, 6, 30)
    assert [r[4:] for r in body] == [[9, 14, 64.3], [9, 15, 60.0], [8, 15, 53.3], [9, 15, 60.0]]


def test_the_export_is_suppressed_too(client, staff):
    response = get(client, staff["steering"], EXPORT, reach="external")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["<5", "<5", "–"] in [r[4:] for r in values]
    assert 1 not in [v for r in values for v in r[4:]]
    # The legend under the table, in Danish.
    notes = [r[0] for r in values if r[0] and str(r[0]).startswith(("Grupper", "En dækningsgrad"))]
    assert len(notes) == 2 and notes[1].startswith(LEGEND)
    # Nothing to explain to whoever sees every figure.
    response = get(client, staff["coordinator"], EXPORT, reach="external")
    values = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert not [r for r in values if r[0] and str(r[0]).startswith(LEGEND)]


def test_no_one_without_a_role_opens_the_export(client, db, make_staff):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse(EXPORT))
    assert response.status_code in (302, 403)
