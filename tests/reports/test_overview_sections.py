"""The Overblik sections below the coverage: outreach, courses, newsletters and concerns. Figures
against the hand-computed fixture (tests/reports/sections_builders.py), suppression (and an
attempt to work a hidden cell out from the totals), who sees what, the period filter, the XLSX
sheets, and a query count that does not grow with the data."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lms.people.models import Role
from reports.lib import periods
from reports.lib.periods import HalfYear, Period
from reports.lib.tables import WITHHELD
from reports.selectors import concerns, courses, newsletters, outreach
from tests.factories import PersonFactory
from tests.reports.sections_builders import NOW, PREV, SECTION_QUERIES, sections_build
from tests.untranslated import untranslated_in

INDEX = "reports_coverage:index"
PERIOD = Period(PREV.previous, NOW)


@pytest.fixture
def data(tree):
    return sections_build(tree)


@pytest.fixture
def users(data, make_staff, mfa):
    tree = data["tree"]
    return {
        "steering": mfa(make_staff(Role.STEERING_GROUP, tree["HJ"])),
        "coordinator": mfa(make_staff(Role.COORDINATOR, tree["HJ"])),
        "contact": mfa(make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])),
        "institution": mfa(make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])),
        "foreign": mfa(make_staff(Role.STEERING_GROUP, tree["FR"])),
    }


def texts(table):
    """The table as read on the page: rows then the total row, each a list of strings."""
    rows = [[cell.text for cell in row] for row in table.rows]
    if table.total:
        rows.append([cell.text for cell in table.total])
    return rows


def row_of(table, label):
    return next(r for r in texts(table) if r[0] == label)


def by_key(section):
    return {table.key: table for table in section.tables}


# -- Figures ---------------------------------------------------------------------------------


def test_outreach_figures_unsuppressed(data):
    section = outreach.section(unit=data["tree"]["HJ"], period=PERIOD, suppressed=False)
    tables = by_key(section)
    meetings = tables["meetings"]
    # Meetings internal, external; participants internal, external, all; attendance rate.
    assert row_of(meetings, PREV.label)[1:] == ["1", "1", "5", "3", "8", "88,9 pct."]
    assert row_of(meetings, NOW.label)[1:] == ["1", "0", "2", "0", "2", WITHHELD]
    assert row_of(meetings, PREV.previous.label)[1:] == ["0", "0", "0", "0", "0", WITHHELD]
    assert texts(meetings)[-1][1:] == ["2", "1", "7", "3", "10", "90,9 pct."]
    requests = tables["requests"]
    assert row_of(requests, PREV.label)[1:] == ["3", "2", "3,0 dage"]
    assert row_of(requests, NOW.label)[1:] == ["0", "0", WITHHELD]
    cards = texts(tables["cards"])
    assert [r[1:] for r in cards] == [["2", "Ja", "10", "1"], ["1", "Nej, forældet", "20", "1"]]
    superseded = texts(tables["superseded"])
    assert [r[:4] for r in superseded] == [["HJ Skole", "Handlekort for medarbejdere", "1", "2"]]
    assert [r[0] for r in texts(tables["unreached"])] == ["HJ Sundhed", "HJ EUC"]
    assert section.period_label == PERIOD.label


def test_courses_figures(data):
    section = courses.section(unit=data["tree"]["HJ"], period=PERIOD, suppressed=False)
    table = section.tables[0]
    # Completions; passed, failed, submitted; pass rate.
    assert row_of(table, PREV.label)[1:] == ["5", "5", "1", "6", "83,3 pct."]
    assert row_of(table, NOW.label)[1:] == ["1", "1", "0", "1", WITHHELD]
    assert texts(table)[-1][1:] == ["6", "6", "1", "7", "85,7 pct."]


def test_newsletter_figures(data):
    section = newsletters.section(unit=data["tree"]["HJ"], period=PERIOD, suppressed=False)
    table = section.tables[0]
    year = str(PREV.year)
    # Editions sent, planned; recipients, delivered, share.
    assert row_of(table, year)[1:] == ["1", "2", "6", "5", "83,3 pct."]
    assert [r[0] for r in texts(table)[:-1]] == [str(y) for y in PERIOD.years]


def test_concern_figures_are_counts_suppressed_for_everyone(data):
    section = concerns.section(unit=data["tree"]["HJ"], period=PERIOD)
    tables = by_key(section)
    prev = [h.key for h in PERIOD.halves].index(PREV.key) + 1
    route = tables["concerns_route"]
    # One concern by the police representative: hidden, and the 6 beside it in its column too.
    assert row_of(route, "Politiets repræsentant")[prev] == "<5"
    assert row_of(route, "Infohusets tovholdere")[prev] == "<5"
    assert texts(route)[-1][prev] == "7"
    outcome = tables["concerns_outcome"]
    assert row_of(outcome, "Ingen afgørelse endnu")[prev] == "<5"
    administration = tables["concerns_administration"]
    # 5 from HJ BFU beside 2 from no unit: both hidden, the total shown.
    assert row_of(administration, "HJ BFU")[prev] == "<5"
    assert texts(administration)[-1][prev] == "7"
    age = tables["concerns_age_group"]
    assert row_of(age, "Under 18 år")[prev] == "<5"
    feedback = tables["concerns_feedback"]
    assert row_of(feedback, PREV.label)[1:] == ["5", "3,0 dage"]
    # No case content anywhere: only counts and the choices' labels.
    html = str([texts(t) for t in section.tables])
    assert "Tekst" not in html


def _lines(table):
    """Every line of the counts (rows with their total, columns with theirs) as hidden flags and
    values: what someone could add up."""
    count_columns = (
        [j for j, cell in enumerate(table.rows[0]) if j and cell.kind == "count"]
        if table.rows
        else []
    )
    rows = [*table.rows, table.total]
    for row in rows:
        yield [(row[j].hidden, row[j].value) for j in count_columns]
    for j in count_columns:
        yield [(row[j].hidden, row[j].value) for row in rows]


@pytest.mark.parametrize(
    "key", ["concerns_route", "concerns_outcome", "concerns_age_group", "concerns_administration"]
)
def test_a_hidden_concern_count_cannot_be_worked_out_from_the_totals(data, key):
    """The attempt: in every row and column, the total minus the shown cells gives a hidden
    cell away when it is the only one hidden. Suppression never leaves exactly one."""
    section = concerns.section(unit=data["tree"]["HJ"], period=PERIOD)
    table = by_key(section)[key]
    assert any(cell.hidden for row in table.rows for cell in row)
    for line in _lines(table):
        hidden = [value for is_hidden, value in line if is_hidden]
        assert len(hidden) != 1, line
    # The police representative's single concern: total minus the other shown routes.
    if key == "concerns_route":
        prev = [h.key for h in PERIOD.halves].index(PREV.key) + 1
        total = table.total[prev].value
        shown = sum(r[prev].value for r in table.rows if not r[prev].hidden)
        assert total - shown != 1


def test_outreach_participants_suppressed_for_whoever_may_not_see_names(data):
    section = outreach.section(unit=data["tree"]["HJ"], period=PERIOD, suppressed=True)
    meetings = by_key(section)["meetings"]
    prev = row_of(meetings, PREV.label)
    # 3 external participants hidden; so is the 5 beside it, and with them the rate.
    assert prev[4] == "<5" and prev[3] == "<5"
    assert row_of(meetings, NOW.label)[3] == "<5"
    # Meetings are not people: shown.
    assert prev[1:3] == ["1", "1"]
    for line in _lines(meetings):
        if any(h for h, _v in line):
            assert sum(1 for h, _v in line if h) != 1


def test_median_days():
    assert periods.median_days([]) is None
    assert periods.median_days([(2, 1), (4, 1)]) == 3
    assert periods.median_days([(1, 1), (2, 1), (10, 1)]) == 2
    assert periods.median_days([(5, 3), (1, 1)]) == 5


def test_the_period_from_the_url():
    today = dt.date(2026, 11, 30)
    assert periods.period_from({}, today) == Period(HalfYear(2025, 1), HalfYear(2026, 2))
    assert periods.period_from({"from": "2026H1", "to": "2026H1"}, today) == Period(
        HalfYear(2026, 1), HalfYear(2026, 1)
    )
    # Reversed bounds are put in order; what is not offered falls back to the default.
    assert periods.period_from({"from": "2026H2", "to": "2025H2"}, today) == Period(
        HalfYear(2025, 2), HalfYear(2026, 2)
    )
    assert periods.period_from({"from": "1999H1", "to": "rubbish"}, today) == Period(
        HalfYear(2025, 1), HalfYear(2026, 2)
    )
    assert HalfYear.parse("2026H3") is None and HalfYear.parse("26H1") is None


# -- The page: who sees what -----------------------------------------------------------------


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse(INDEX), params)
    assert response.status_code == 200
    return response


def keys(response):
    return [section.key for section in response.context["sections"]]


def test_the_steering_group_sees_every_section_of_its_municipality(client, users):
    response = page(client, users["steering"])
    assert keys(response) == ["outreach", "courses", "newsletters", "concerns"]
    html = response.content.decode()
    assert "Udbredelse" in html and "Bekymringer" in html
    assert "opdateret kl." in html.lower()
    assert untranslated_in(html) == []
    outreach_tables = by_key(response.context["sections"][0])
    # Suppressed for the steering group.
    assert row_of(outreach_tables["meetings"], PREV.label)[4] == "<5"


def test_the_coordinator_sees_the_participants_unsuppressed(client, users):
    response = page(client, users["coordinator"])
    assert keys(response) == ["outreach", "courses", "newsletters", "concerns"]
    tables = by_key(response.context["sections"][0])
    assert row_of(tables["meetings"], PREV.label)[3:6] == ["5", "3", "8"]


@pytest.mark.parametrize("role", ["contact", "institution"])
def test_department_contacts_and_institutions_see_no_concern_counts(client, users, role):
    response = page(client, users[role])
    assert keys(response) == ["outreach", "courses", "newsletters"]


def test_a_department_contact_sees_only_their_administration(client, users):
    response = page(client, users["contact"])
    meetings = by_key(response.context["sections"][0])["meetings"]
    # Only m1 (audience HJ-BFU) was for the administration; its 5 participants work there (m3,
    # organised by HJ for no audience, is not the administration's).
    assert texts(meetings)[-1][1:3] == ["1", "0"]
    assert meetings.total[3].value == 5


def test_a_foreign_steering_group_sees_only_its_own_figures(client, users):
    response = page(client, users["foreign"])
    sections = {s.key: by_key(s) for s in response.context["sections"]}
    meetings = sections["outreach"]["meetings"]
    assert texts(meetings)[-1][1:3] == ["1", "0"]
    assert sections["concerns"]["concerns_route"].total[-1].value == 1
    # The hand-computed HJ figures are not in FR's page.
    assert sections["newsletters"]["newsletters"].total[3].value == 1


def test_a_foreign_municipality_is_not_found(client, users, data):
    client.force_login(users["foreign"])
    response = client.get(reverse(INDEX), {"unit": data["tree"]["HJ"].pk, "from": PREV.key})
    assert response.status_code == 404


def test_the_period_filter_keeps_the_other_filters(client, users, data):
    response = page(
        client, users["steering"], **{"from": PREV.key, "to": PREV.key, "reach": "internal"}
    )
    assert response.context["period"] == Period(PREV, PREV)
    meetings = by_key(response.context["sections"][0])["meetings"]
    assert [r[0] for r in texts(meetings)] == [PREV.label, "I alt"]
    html = response.content.decode()
    assert '<input type="hidden" name="reach" value="internal">' in html


# -- XLSX ------------------------------------------------------------------------------------


def test_the_xlsx_export_has_a_sheet_per_section(client, users):
    client.force_login(users["coordinator"])
    response = client.get(reverse("reports_coverage:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[1:] == ["Udbredelse", "Kurser", "Nyhedsbreve", "Bekymringer"]
    sheet = book["Udbredelse"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][0] == "Periode"
    assert isinstance(values[2][1], dt.datetime)
    assert ["Halvår", "Møder, interne"] == values[5][:2]
    prev = next(r for r in values if r[0] == PREV.label)
    assert prev[1:7] == [1, 1, 5, 3, 8, 88.9]
    superseded = next(r for r in values if r[0] == "HJ Skole")
    assert isinstance(superseded[4], dt.datetime)


def test_the_xlsx_export_is_suppressed_for_the_steering_group(client, users):
    client.force_login(users["steering"])
    response = client.get(reverse("reports_coverage:export"))
    book = load_workbook(io.BytesIO(response.content))
    values = [[c.value for c in row] for row in book["Udbredelse"].iter_rows()]
    prev = next(r for r in values if r[0] == PREV.label)
    assert prev[3:5] == ["<5", "<5"]


# -- Queries ---------------------------------------------------------------------------------


def test_the_sections_take_the_same_queries_however_much_data(data, django_assert_num_queries):
    tree = data["tree"]
    hj = tree["HJ"]

    def run():
        outreach.section(unit=hj, period=PERIOD, suppressed=True)
        courses.section(unit=hj, period=PERIOD, suppressed=True)
        newsletters.section(unit=hj, period=PERIOD, suppressed=True)
        concerns.section(unit=hj, period=PERIOD)

    with django_assert_num_queries(SECTION_QUERIES):
        run()
    # More people, units, meetings and concerns.
    sections_build_more(tree)
    with django_assert_num_queries(SECTION_QUERIES):
        run()


def sections_build_more(tree):
    from tests.factories import org_unit
    from tests.reports.sections_builders import _mark, _meeting, at

    for n in range(5):
        unit = org_unit(code=f"HJ-M{n}", name=f"M {n}", parent=tree["HJ"])
        people = [PersonFactory(org_unit=unit) for _i in range(3)]
        meeting = _meeting(unit, at(PREV.start + dt.timedelta(days=20 + n)))
        _mark(meeting, people)


# -- The cache: per scope and period, a few minutes, with the time computed -------------------


def test_the_half_year():
    first, second = HalfYear(2026, 1), HalfYear(2026, 2)
    assert (first.start, first.last_day, first.end_exclusive) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 1),
    )
    assert (second.last_day, second.end_exclusive) == (dt.date(2026, 12, 31), dt.date(2027, 1, 1))
    assert first.next == second and second.previous == first
    assert second.next == HalfYear(2027, 1) and first.previous == HalfYear(2025, 2)
    assert HalfYear.of(dt.date(2026, 6, 30)) == first and HalfYear.of(dt.date(2026, 7, 1)) == second
    assert HalfYear.parse(second.key) == second and second.key == "2026H2"
    assert first.label == str(first) == "1. halvår 2026"
    assert first.as_of(dt.date(2026, 3, 1)) == dt.date(2026, 3, 1)
    assert first.is_closed(dt.date(2026, 7, 1)) and not first.is_closed(dt.date(2026, 6, 30))
    assert Period(first, second).end_exclusive == dt.date(2027, 1, 1)
    with pytest.raises(ValueError):
        HalfYear(2026, 3)


def meetings_total(response):
    return texts(by_key(response.context["sections"][0])["meetings"])[-1][1:6]


def test_the_cache_never_carries_figures_across_scopes(client, users, data):
    """The same filter, one after another: each user sees their own scope's figures, suppressed
    or not as they may, whoever filled the cache first."""
    same = {"from": PREV.previous.key, "to": NOW.key, "reach": "internal"}
    steering = meetings_total(page(client, users["steering"], **same))
    coordinator = meetings_total(page(client, users["coordinator"], **same))
    again = meetings_total(page(client, users["steering"], **same))
    foreign = meetings_total(page(client, users["foreign"], **same))
    contact = meetings_total(page(client, users["contact"], **same))
    # HJ: 2 internal, 1 external; participants 7 internal, 3 external: hidden for the steering
    # group, shown to the coordinator (who may see names).
    assert coordinator == ["2", "1", "7", "3", "10"]
    assert steering == again and steering[:2] == ["2", "1"] and "<5" in steering
    # FR: its own one meeting; HJ-BFU: only its administration's.
    assert foreign[:2] == ["1", "0"] and contact[:2] == ["1", "0"]
    # The foreign steering group's concerns are FR's (one), not HJ's.
    fr = {s.key: by_key(s) for s in page(client, users["foreign"], **same).context["sections"]}
    assert fr["concerns"]["concerns_route"].total[-1].value == 1
    assert fr["newsletters"]["newsletters"].total[3].value == 1


def test_the_page_shows_when_the_figures_were_computed(client, users, monkeypatch, settings):
    """Cached: the page shows the time they were computed, not the time of the request; the
    setting's lifetime bounds how old they get."""
    from django.utils import timezone

    computed = timezone.now().replace(second=0, microsecond=0)
    later = computed + dt.timedelta(minutes=3)
    monkeypatch.setattr(timezone, "now", lambda: computed)
    first = page(client, users["steering"])
    stamp = timezone.localtime(computed).strftime("%H:%M")
    assert [s.computed_at for s in first.context["sections"]] == [computed] * 4
    assert f"opdateret kl. {stamp}" in first.content.decode().lower()

    monkeypatch.setattr(timezone, "now", lambda: later)
    second = page(client, users["steering"])
    assert [s.computed_at for s in second.context["sections"]] == [computed] * 4
    assert f"opdateret kl. {stamp}" in second.content.decode().lower()
    # Shown in Copenhagen's time.
    assert second.context["sections"][0].computed_at.tzinfo is not None
    assert str(second.context["sections"][0].computed_at.tzinfo) == "Europe/Copenhagen"
    # Another period is computed afresh, now.
    other = page(client, users["steering"], **{"from": PREV.key, "to": PREV.key})
    assert [s.computed_at for s in other.context["sections"]] == [later] * 4

    # Without a lifetime nothing is kept: computed on every request.
    settings.REPORTS_SECTIONS_CACHE_SECONDS = 0
    now_only = {"from": NOW.key, "to": NOW.key}
    page(client, users["steering"], **now_only)
    latest = later + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: latest)
    fresh = page(client, users["steering"], **now_only).context["sections"]
    assert [s.computed_at for s in fresh] == [latest] * 4


def test_the_xlsx_export_reads_the_same_cached_figures(client, users, monkeypatch):
    from django.utils import timezone

    computed = timezone.now().replace(second=0, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: computed)
    page(client, users["coordinator"])
    monkeypatch.setattr(timezone, "now", lambda: computed + dt.timedelta(minutes=2))
    response = client.get(reverse("reports_coverage:export"))
    values = [
        [c.value for c in row]
        for row in load_workbook(io.BytesIO(response.content))["Kurser"].iter_rows()
    ]
    assert values[2][1] == timezone.localtime(computed).replace(tzinfo=None)


# The access checks of a request (the user's roles, read once and then remembered).
ACCESS_QUERIES = 1


def test_a_cache_hit_takes_no_section_queries(data, users, rf, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from reports.viewsets.sections import sections_for

    hj = data["tree"]["HJ"]

    def request():
        # A new request: the user loaded afresh, as the session middleware does.
        made = rf.get("/", {"from": PREV.key, "to": NOW.key})
        made.user = get_user_model().objects.get(pk=users["steering"].pk)
        return made

    first, second = request(), request()
    with django_assert_num_queries(ACCESS_QUERIES + SECTION_QUERIES):
        _period, missed = sections_for(first, hj)
    with django_assert_num_queries(ACCESS_QUERIES):
        _period, hit = sections_for(second, hj)
    assert [texts(t) for s in hit for t in s.tables] == [texts(t) for s in missed for t in s.tables]
