"""The routing table of the action plan (lms.concerns.lib.routing)."""

import pytest

from lms.concerns.lib.routing import route_for


@pytest.mark.parametrize(
    ("kind", "age", "route"),
    [
        ("staff", "under_18", "coordinators"),
        ("staff", "adult", "coordinators"),
        ("staff", "unknown", "coordinators"),
        ("partner", "under_18", "coordinators"),
        ("partner", "adult", "coordinators"),
        ("citizen", "under_18", "ssp_consultant"),
        ("citizen", "adult", "police_representative"),
        # A citizen who does not know the age: the coordinators decide who takes it.
        ("citizen", "unknown", "coordinators"),
    ],
)
def test_routing_table(kind, age, route):
    assert route_for(reporter_kind=kind, age_group=age) == route


@pytest.mark.parametrize(("kind", "age"), [("stranger", "adult"), ("citizen", "old")])
def test_unknown_values_are_refused(kind, age):
    with pytest.raises(ValueError):
        route_for(reporter_kind=kind, age_group=age)
