"""The coverage aggregate against the hand-computed fixture (tests/reports/conftest.py), its
refresh by subtree, and the selectors that read it."""

import datetime as dt

import pytest

from lms.people.models import OrgUnit
from reports.models import CoverageCell
from reports.selectors import coverage as selectors
from reports.selectors.coverage import Filters
from reports.services.coverage import coverage_refresh
from reports.tasks import refresh_coverage
from tests.reports.builders import TODAY


def cells():
    return {
        (c.org_unit.code, c.job_category.code, c.competence.code): (
            c.valid,
            c.expiring,
            c.expired,
            c.missing,
            c.external,
        )
        for c in CoverageCell.objects.select_related("org_unit", "job_category", "competence")
    }


EXPECTED = {
    ("HJ-SKOLE", "TEACHER", "SIGNS"): (2, 2, 1, 3, False),
    ("HJ-SKOLE", "TEACHER", "PASS_ON"): (1, 0, 0, 7, False),
    ("HJ-SKOLE", "PEDAGOGUE", "SIGNS"): (1, 0, 0, 0, False),
    ("HJ-GYM", "TEACHER", "SIGNS"): (1, 0, 0, 1, True),
    ("HJ", "TEACHER", "SIGNS"): (0, 0, 0, 1, False),
    ("FR-SKOLE", "TEACHER", "SIGNS"): (1, 0, 0, 0, False),
}


def test_the_aggregate_matches_the_hand_computed_figures(coverage_data):
    written = coverage_refresh(today=TODAY)
    assert written == len(EXPECTED)
    assert cells() == EXPECTED
    for cell in CoverageCell.objects.all():
        assert cell.required == cell.valid + cell.expiring + cell.expired + cell.missing


def test_the_aggregate_agrees_with_the_ledgers_own_status_selector(coverage_data):
    from lms.competence.selectors.status import competence_status_for_subtree, status_counts

    coverage_refresh(today=TODAY)
    hj = coverage_data["tree"]["HJ"]
    counts = status_counts(competence_status_for_subtree(unit=hj, today=TODAY))
    for competence in coverage_data["competences"].values():
        cells = CoverageCell.objects.filter(
            competence=competence, org_unit__path__startswith=hj.path
        )
        summed = {
            part: sum(getattr(c, part) for c in cells)
            for part in ("valid", "expiring", "expired", "missing")
        }
        expected = counts.get(competence.pk, dict.fromkeys(summed, 0))
        assert summed == expected, competence.code


def test_refreshing_a_subtree_leaves_the_rest_and_replaces_its_own(coverage_data):
    tree = coverage_data["tree"]
    coverage_refresh(today=TODAY)
    fr_cell = CoverageCell.objects.get(org_unit=tree["FR-SKOLE"])
    # Anna's evidence is voided: only HJ is refreshed.
    from lms.competence.models import Evidence
    from lms.competence.services.evidence import evidence_void

    anna = coverage_data["people"]["t1"]
    for evidence in Evidence.objects.filter(person=anna):
        evidence_void(evidence=evidence, reason="Test")
    written = coverage_refresh(org_units=[tree["HJ-BFU"]], today=TODAY)
    assert written == 3
    assert cells()[("HJ-SKOLE", "TEACHER", "SIGNS")] == (1, 2, 1, 4, False)
    assert cells()[("HJ-SKOLE", "TEACHER", "PASS_ON")] == (0, 0, 0, 8, False)
    # FR's row is the same row, untouched.
    assert CoverageCell.objects.get(org_unit=tree["FR-SKOLE"]).computed_at == fr_cell.computed_at
    assert coverage_refresh(org_units=[], today=TODAY) == 0


def test_refreshing_twice_gives_the_same_rows(coverage_data):
    coverage_refresh(today=TODAY)
    coverage_refresh(today=TODAY)
    assert cells() == EXPECTED


def test_the_beat_task_refreshes_everything(coverage_data):
    assert refresh_coverage.delay().get() == len(EXPECTED)


def test_a_retired_competence_is_no_longer_counted(coverage_data):
    pass_on = coverage_data["competences"]["pass_on"]
    pass_on.active = False
    pass_on.save()
    coverage_refresh(today=TODAY)
    assert not CoverageCell.objects.filter(competence=pass_on).exists()


def overview(coverage_data, unit="HJ", suppressed=False, **filters):
    coverage_refresh(today=TODAY)
    return selectors.coverage_overview(
        unit=coverage_data["tree"][unit], filters=Filters(**filters), suppressed=suppressed
    )


def rows(items):
    return {row.label: row.counts for row in items}


def test_the_overview_by_unit_job_category_and_competence(coverage_data):
    result = overview(coverage_data)
    assert result.competence == coverage_data["competences"]["signs"]
    assert rows(result.by_competence) == {
        "Kender bekymringstegn": (4, 2, 1, 5),
        "Ved hvordan en bekymring videregives": (1, 0, 0, 7),
    }
    assert [(r.label, r.counts, r.external, r.is_scope) for r in result.by_unit] == [
        ("HJ Kommune", (0, 0, 0, 1), False, True),
        ("HJ BFU", (3, 2, 1, 3), False, False),
        ("HJ Gymnasium", (1, 0, 0, 1), True, False),
    ]
    assert [r.label for r in result.internal_units] == ["HJ Kommune", "HJ BFU"]
    assert [r.label for r in result.external_units] == ["HJ Gymnasium"]
    # Front-line first: both are front-line here, by name.
    assert [(r.label, r.counts) for r in result.by_job_category] == [
        ("Lærer", (3, 2, 1, 5)),
        ("Pædagog", (1, 0, 0, 0)),
    ]
    assert result.total.counts == (4, 2, 1, 5)
    assert result.total.share == pytest.approx(600 / 12)
    assert result.computed_at is not None


def test_drilling_down_and_filtering(coverage_data):
    jobs, competences = coverage_data["jobs"], coverage_data["competences"]
    bfu = overview(coverage_data, unit="HJ-BFU", competence=competences["pass_on"].pk)
    assert bfu.competence == competences["pass_on"]
    assert rows(bfu.by_unit) == {"HJ Skole": (1, 0, 0, 7)}
    teachers = overview(coverage_data, job_category=jobs["pedagogue"].pk)
    assert rows(teachers.by_competence) == {"Kender bekymringstegn": (1, 0, 0, 0)}
    external = overview(coverage_data, reach="external")
    assert rows(external.by_unit) == {"HJ Gymnasium": (1, 0, 0, 1)}
    internal = overview(coverage_data, reach="internal")
    assert "HJ Gymnasium" not in rows(internal.by_unit)


def test_a_scope_without_requirements_has_no_figures(coverage_data):
    empty = OrgUnit.objects.get(code="FR-GYM")
    coverage_refresh(today=TODAY)
    result = selectors.coverage_overview(unit=empty, filters=Filters(), suppressed=True)
    assert result.competence is None and result.by_competence == []
    assert result.computed_at is None


def test_suppressed_overview_shows_no_small_number(coverage_data):
    result = overview(coverage_data, suppressed=True)
    for row in [*result.by_unit, *result.by_job_category, *result.by_competence, result.total]:
        for value in row.cells():
            assert value == "<5" or value == 0 or value >= 5, (row.label, row.cells())
        if row.required < 5:
            assert row.share is None
    # The municipality's own teacher (1 missing) is hidden, and so is what would give it away.
    own = result.by_unit[0]
    assert own.cells() == [0, 0, 0, "<5", "<5"]
    # The summary row of a competence is the breakdowns' total row, hidden alike.
    assert result.by_competence[0].hidden == result.total.hidden


def test_the_people_behind_a_gap(coverage_data):
    competences, people = coverage_data["competences"], coverage_data["people"]
    hj = coverage_data["tree"]["HJ"]
    found = selectors.gap_people(unit=hj, competence=competences["signs"], today=TODAY)
    names = {p.name: p.latest for p in found}
    assert set(names) == {people[k].name for k in ("t2", "t3", "t4", "t7", "t8", "t9", "g2", "m1")}
    assert names[people["t4"].name] == TODAY - dt.timedelta(days=1)
    external = selectors.gap_people(
        unit=hj, competence=competences["signs"], reach="external", today=TODAY
    )
    assert [p.name for p in external] == [people["g2"].name]
    internal = selectors.gap_people(
        unit=hj, competence=competences["signs"], reach="internal", today=TODAY
    )
    assert people["g2"].name not in {p.name for p in internal}
