"""A person's status per required competence: the four statuses, which requirements apply, and
the bulk selector for a subtree (same answers, a fixed number of queries)."""

import datetime as dt

import pytest

from lms.competence.models import Evidence
from lms.competence.selectors import status as selectors
from lms.competence.selectors.status import Status
from lms.competence.services import evidence as services
from tests.factories import PersonFactory, org_unit

TODAY = dt.date(2026, 6, 15)


def hold(person, competence, *, expires_on=None, achieved_on=None, ref=None, voided=False):
    """Evidence with a chosen expiry, written directly (the service computes it from validity)."""
    evidence = Evidence.objects.create(
        person=person,
        competence=competence,
        source=Evidence.Source.MANUAL,
        source_reference=ref or f"test:{Evidence.objects.count()}",
        achieved_on=achieved_on or dt.date(2025, 1, 1),
        expires_on=expires_on,
    )
    if voided:
        services.evidence_void(evidence=evidence, reason="Test")
    return evidence


def status(person, competence):
    items = selectors.competence_status_for_person(person=person, today=TODAY)
    return next(((i.status, i.valid_until) for i in items if i.competence == competence), None)


@pytest.mark.parametrize(
    ("expires_on", "expected"),
    [
        (TODAY + dt.timedelta(days=91), Status.VALID),
        (TODAY + dt.timedelta(days=90), Status.EXPIRING),
        (TODAY + dt.timedelta(days=1), Status.EXPIRING),
        (TODAY, Status.EXPIRING),  # the last valid day
        (TODAY - dt.timedelta(days=1), Status.EXPIRED),
    ],
)
def test_status_boundaries(required, teacher, signs, expires_on, expected):
    hold(teacher, signs, expires_on=expires_on)
    assert status(teacher, signs) == (expected, expires_on)


def test_missing_without_evidence_and_with_only_voided_evidence(required, teacher, signs):
    assert status(teacher, signs) == (Status.MISSING, None)
    hold(teacher, signs, expires_on=TODAY + dt.timedelta(days=400), voided=True)
    assert status(teacher, signs) == (Status.MISSING, None)


def test_evidence_achieved_after_today_does_not_count(required, teacher, signs):
    hold(teacher, signs, achieved_on=TODAY + dt.timedelta(days=1), expires_on=dt.date(2030, 1, 1))
    assert status(teacher, signs) == (Status.MISSING, None)


def test_never_expiring_evidence_is_valid(required, teacher, passing_on):
    hold(teacher, passing_on, expires_on=None, achieved_on=dt.date(2001, 1, 1))
    assert status(teacher, passing_on) == (Status.VALID, None)


def test_the_best_evidence_counts(required, teacher, signs, passing_on):
    hold(teacher, signs, expires_on=TODAY - dt.timedelta(days=300))
    hold(teacher, signs, expires_on=TODAY + dt.timedelta(days=200))
    hold(teacher, signs, expires_on=TODAY + dt.timedelta(days=30))
    assert status(teacher, signs) == (Status.VALID, TODAY + dt.timedelta(days=200))
    hold(teacher, passing_on, expires_on=TODAY - dt.timedelta(days=3))
    hold(teacher, passing_on, expires_on=None)
    assert status(teacher, passing_on) == (Status.VALID, None)


def test_which_requirements_apply(required, tree, jobs, signs, passing_on, teacher):
    # HJ teacher: both (signs from the municipality, passing on from the administration).
    got = selectors.competence_status_for_person(person=teacher, today=TODAY)
    assert [i.competence for i in got] == [signs, passing_on]
    # A pedagogue in HJ: signs only (passing on is required of teachers).
    pedagogue = PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=jobs["pedagogue"])
    assert [i.competence for i in selectors.competence_status_for_person(person=pedagogue)] == [
        signs
    ]
    # A teacher at the HJ institution is outside HJ-BFU: signs only.
    gym = PersonFactory(org_unit=tree["HJ-GYM"], job_category=jobs["teacher"])
    assert [i.competence for i in selectors.competence_status_for_person(person=gym)] == [signs]
    # An administrative employee, or a person without a job category: nothing.
    for job in (jobs["admin"], None):
        person = PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=job)
        assert selectors.competence_status_for_person(person=person) == []
    # Inactive competences are not required.
    passing_on.active = False
    passing_on.save()
    got = selectors.competence_status_for_person(person=teacher, today=TODAY)
    assert [i.competence for i in got] == [signs]


def test_the_status_labels_are_danish(required, teacher):
    labels = [str(i.label) for i in selectors.competence_status_for_person(person=teacher)]
    assert labels == ["Mangler", "Mangler"]


def _population(tree, jobs, signs, passing_on, n):
    """n people spread over HJ, with every kind of evidence."""
    units = [tree["HJ"], tree["HJ-BFU"], tree["HJ-SKOLE"], tree["HJ-GYM"]]
    kinds = [jobs["teacher"], jobs["pedagogue"], jobs["admin"], None]
    people = []
    for i in range(n):
        person = PersonFactory(org_unit=units[i % 4], job_category=kinds[(i // 4) % 4])
        people.append(person)
        offset = [-30, 0, 45, 90, 91, 400][i % 6]
        if i % 7:
            hold(person, signs, expires_on=TODAY + dt.timedelta(days=offset), ref=f"a{i}")
        if i % 3 == 0:
            hold(person, passing_on, expires_on=None, ref=f"b{i}", voided=i % 2 == 0)
    return people


def test_bulk_equals_per_person(required, tree, jobs, signs, passing_on):
    people = _population(tree, jobs, signs, passing_on, 40)
    # Someone in the other municipality and someone who left are not in HJ's result.
    outsider = PersonFactory(org_unit=tree["FR-SKOLE"], job_category=jobs["teacher"])
    left = PersonFactory(
        org_unit=tree["HJ-SKOLE"], job_category=jobs["teacher"], active=False, left_on=TODAY
    )
    bulk = selectors.competence_status_for_subtree(unit=tree["HJ"], today=TODAY)
    assert set(bulk) == set(people)
    assert outsider not in bulk and left not in bulk
    for person in people:
        assert bulk[person] == selectors.competence_status_for_person(person=person, today=TODAY)
    seen = {item.status for items in bulk.values() for item in items}
    assert seen == {Status.VALID, Status.EXPIRING, Status.EXPIRED, Status.MISSING}
    # A subtree below the requirement's unit still sees the requirements from above.
    school = selectors.competence_status_for_subtree(unit=tree["HJ-SKOLE"], today=TODAY)
    assert set(school) == {p for p in people if p.org_unit_id == tree["HJ-SKOLE"].pk}
    for person, items in school.items():
        assert items == bulk[person]


def test_status_counts(required, tree, jobs, signs, passing_on):
    _population(tree, jobs, signs, passing_on, 24)
    bulk = selectors.competence_status_for_subtree(unit=tree["HJ"], today=TODAY)
    counts = selectors.status_counts(bulk)
    for competence in (signs, passing_on):
        expected = sum(1 for items in bulk.values() for i in items if i.competence == competence)
        assert sum(counts[competence.pk].values()) == expected


@pytest.mark.parametrize("n", [5, 100])
def test_bulk_query_count_does_not_grow(n, required, tree, jobs, signs, passing_on, assert_queries):
    _population(tree, jobs, signs, passing_on, n)

    def read():
        bulk = selectors.competence_status_for_subtree(unit=tree["HJ"], today=TODAY)
        for items in bulk.values():
            for item in items:
                str(item.competence.name)
        return bulk

    # Requirements, their job categories (prefetch), the people, the evidence aggregate.
    bulk = assert_queries(4, read)
    assert len(bulk) == n


def test_bulk_of_an_area_without_requirements(tree, jobs, assert_queries):
    PersonFactory(org_unit=tree["FR-SKOLE"], job_category=jobs["teacher"])
    unit = org_unit(code="NEW", name="Ny kommune")
    assert assert_queries(2, lambda: selectors.competence_status_for_subtree(unit=unit)) == {}
    bulk = selectors.competence_status_for_subtree(unit=tree["FR"])
    assert list(bulk.values()) == [[]]


def test_the_request_memo_reads_once_and_again_after_a_ledger_write(
    required, teacher, signs, django_assert_num_queries
):
    """Min side's two sections share one read of the status; a write to the ledger earlier in
    the same request makes the next read compute again."""
    from django.test import RequestFactory

    request = RequestFactory().get("/min-side/")
    with django_assert_num_queries(1):
        first = selectors.competence_status_for_request(request, person=teacher)
    with django_assert_num_queries(0):
        assert selectors.competence_status_for_request(request, person=teacher) == first
    assert [i.status for i in first if i.competence == signs] == [Status.MISSING]
    hold(teacher, signs, expires_on=dt.date(2099, 1, 1))
    with django_assert_num_queries(1):
        again = selectors.competence_status_for_request(request, person=teacher)
    assert [i.status for i in again if i.competence == signs] == [Status.VALID]
    other = RequestFactory().get("/min-side/")
    with django_assert_num_queries(1):
        selectors.competence_status_for_request(other, person=teacher)
