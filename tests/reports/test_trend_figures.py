"""The coverage trend (reports.services.trend, reports.selectors.trend) against the hand-computed
fixture in trend_builders: who counts as of each half-year's last day, the boundary days, voided
evidence, ended half-years computed once, suppression."""

import datetime as dt

import pytest

from reports.lib.periods import HalfYear, plan_half_years
from reports.models import CoverageTrendCell
from reports.selectors.coverage import EXTERNAL, INTERNAL, Filters
from reports.selectors.trend import coverage_trend
from reports.services.trend import trend_refresh
from tests.reports.trend_builders import EXPECTED_SCHOOL, TODAY, trend_build


@pytest.fixture
def trend_data(tree, jobs, competences):
    data = trend_build(tree, jobs, competences)
    trend_refresh(today=TODAY)
    return data


def test_the_plan_half_years_that_have_begun():
    periods = plan_half_years(TODAY)
    assert [p.key for p in periods] == ["2025H1", "2025H2", "2026H1", "2026H2"]
    assert periods[0].last_day == dt.date(2025, 6, 30) and periods[1].last_day == dt.date(
        2025, 12, 31
    )
    assert periods[3].as_of(TODAY) == TODAY and periods[2].as_of(TODAY) == dt.date(2026, 6, 30)
    assert HalfYear.of(dt.date(2026, 7, 1)).previous == HalfYear(2026, 1)
    assert periods[0].label == "1. halvår 2025" and periods[3].label == "2. halvår 2026"


def test_the_cells_match_the_hand_computed_figures(trend_data):
    school = trend_data["tree"]["HJ-SKOLE"]
    for start, (required, valid) in EXPECTED_SCHOOL.items():
        cell = CoverageTrendCell.objects.get(period_start=start, org_unit=school)
        assert (cell.required, cell.valid) == (required, valid), start
        assert cell.external is False
    assert CoverageTrendCell.objects.get(
        period_start=dt.date(2025, 1, 1), org_unit=school
    ).as_of == (dt.date(2025, 6, 30))
    gym = CoverageTrendCell.objects.filter(org_unit=trend_data["tree"]["HJ-GYM"])
    assert {(c.required, c.valid, c.external) for c in gym} == {(1, 1, True)}
    # Evidence of a competence nobody requires counts nowhere.
    assert not CoverageTrendCell.objects.filter(
        competence=trend_data["competences"]["other"]
    ).exists()


def test_ended_half_years_are_computed_once(trend_data):
    first = CoverageTrendCell.objects.get(
        period_start=dt.date(2025, 1, 1), org_unit=trend_data["tree"]["HJ-SKOLE"]
    )
    done = trend_refresh(today=TODAY)
    assert [p.key for p in done] == ["2026H2"]
    again = CoverageTrendCell.objects.get(pk=first.pk)
    assert again.computed_at == first.computed_at


def test_the_current_half_year_follows_today(trend_data):
    # A day later: the current half-year is computed again as of that day.
    trend_refresh(today=TODAY + dt.timedelta(days=1))
    cell = CoverageTrendCell.objects.get(
        period_start=dt.date(2026, 7, 1), org_unit=trend_data["tree"]["HJ-SKOLE"]
    )
    assert cell.as_of == TODAY + dt.timedelta(days=1)


def test_the_scope_sums_its_subtree_unsuppressed(trend_data):
    hj = trend_data["tree"]["HJ"]
    trend = coverage_trend(unit=hj, filters=Filters(), suppressed=False, today=TODAY)
    [series] = trend.series
    assert [(p.valid, p.required) for p in series.points] == [(3, 7), (3, 8), (2, 8), (3, 8)]
    assert series.points[0].share == pytest.approx(300 / 7)
    internal = coverage_trend(
        unit=hj, filters=Filters(reach=INTERNAL), suppressed=False, today=TODAY
    )
    assert [(p.valid, p.required) for p in internal.series[0].points] == [
        (v, r) for r, v in EXPECTED_SCHOOL.values()
    ]
    external = coverage_trend(
        unit=hj, filters=Filters(reach=EXTERNAL), suppressed=False, today=TODAY
    )
    assert [(p.valid, p.required) for p in external.series[0].points] == [(1, 1)] * 4
    other_job = coverage_trend(
        unit=hj, filters=Filters(job_category=trend_data["jobs"]["office"].pk), suppressed=False
    )
    assert other_job.series == []


def test_another_municipality_is_its_own(trend_data):
    fr = trend_data["tree"]["FR"]
    trend = coverage_trend(unit=fr, filters=Filters(), suppressed=False, today=TODAY)
    assert [(p.valid, p.required) for p in trend.series[0].points] == [(1, 1)] * 4


def test_suppressed_figures_hide_small_counts_and_what_gives_them_away(trend_data):
    hj = trend_data["tree"]["HJ"]
    trend = coverage_trend(unit=hj, filters=Filters(), suppressed=True, today=TODAY)
    points = trend.series[0].points
    # 3 of 7: the 3 is small, so is the 4 without; the 7 required is shown, the share not.
    assert (points[0].valid_shown, points[0].required_shown, points[0].share) == ("<5", 7, None)
    # The external institution alone: 1 of 1, hidden whole.
    external = (
        coverage_trend(unit=hj, filters=Filters(reach=EXTERNAL), suppressed=True, today=TODAY)
        .series[0]
        .points[0]
    )
    assert (external.valid_shown, external.required_shown, external.share) == ("<5", "<5", None)


def test_a_deliberate_attempt_to_reveal_one_person_without_evidence(tree, jobs, competences):
    """7 of 8 valid: the one without would be required minus valid, so valid is hidden too."""
    from tests.factories import PersonFactory, requirement
    from tests.reports.builders import hold
    from tests.reports.trend_builders import CPH, joined

    signs = competences["signs"]
    requirement(competence=signs, org_unit=tree["HJ"], job_categories=[jobs["teacher"]])
    for index in range(8):
        person = PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=jobs["teacher"])
        joined(person, dt.datetime(2024, 1, 1, tzinfo=CPH))
        if index:
            hold(person, signs, achieved_on=dt.date(2024, 1, 1))
    trend_refresh(today=TODAY)
    point = (
        coverage_trend(unit=tree["HJ"], filters=Filters(), suppressed=True, today=TODAY)
        .series[0]
        .points[-1]
    )
    assert (point.valid_shown, point.required_shown, point.share) == ("<5", 8, None)


def test_the_beat_task_refreshes_the_current_half_year_with_the_coverage(tree, jobs, competences):
    from django.utils import timezone

    from reports.models import CoverageCell
    from reports.tasks import refresh_coverage

    trend_build(tree, jobs, competences)
    refresh_coverage()
    current = HalfYear.of(timezone.localdate())
    assert CoverageCell.objects.exists()
    assert CoverageTrendCell.objects.filter(
        period_start=current.start, as_of=timezone.localdate()
    ).exists()


def test_the_daily_task_offers_nothing_without_meetings(db):
    from reports.tasks import halfyear_reports_due

    assert halfyear_reports_due() == 0
