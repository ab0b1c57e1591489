"""The registry of items content may point at (lms.site.teasers): references, the chooser's
grouped choices, and one call per kind however many references are resolved."""

from __future__ import annotations

import pytest

from lms.site import teasers


@pytest.fixture
def registry(monkeypatch):
    """A registry of two made-up kinds instead of the features' (restored afterwards)."""
    monkeypatch.setattr(teasers, "_kinds", {})
    calls = []

    def things(ids):
        calls.append(list(ids))
        return {pk: teasers.Teaser(title=f"Ting {pk}", url=f"/t/{pk}/") for pk in ids if pk < 10}

    teasers.kind_register(
        teasers.Kind(
            "thing",
            "Ting",
            lambda user: [(1, "Ting 1")] if user is None else [],
            things,
            item_label="Ting",
            order=2,
        )
    )
    teasers.kind_register(
        teasers.Kind("other", "Andet", lambda user: [(5, "Andet 5")], lambda ids: {}, order=1)
    )
    return calls


def test_a_reference_names_a_registered_kind_and_an_id(registry):
    assert teasers.reference("thing", 3) == "thing:3"
    assert teasers.reference_parse("thing:3") == ("thing", 3)
    bad_ids = ("thing:²", "thing:٣", "thing: 3", "thing:99999999999999999999")
    for bad in ("thing", "thing:", "thing:x", "nothing:3", "", None, "thing:-1", *bad_ids):
        assert teasers.reference_parse(bad) is None


def test_a_key_with_a_colon_is_refused(registry):
    with pytest.raises(ValueError):
        teasers.kind_register(teasers.Kind("a:b", "x", list, dict))


def test_the_choices_are_grouped_by_kind_in_order(registry):
    assert teasers.choices() == [
        ("Andet", [("other:5", "Andet 5")]),
        ("Ting", [("thing:1", "Ting 1")]),
    ]
    assert teasers.references_offered(None) == {"other:5", "thing:1"}


def test_each_kind_is_asked_for_the_editors_own_items(registry):
    editor = object()
    assert teasers.choices(editor) == [("Andet", [("other:5", "Andet 5")]), ("Ting", [])]
    assert teasers.references_offered(editor) == {"other:5"}


def test_many_references_are_one_call_per_kind_and_gone_ones_are_left_out(registry):
    found = teasers.teasers_for(["thing:1", "thing:2", "thing:1", "thing:12", "other:5", "x:1"])
    assert registry == [[1, 2, 12]]
    assert sorted(found) == ["thing:1", "thing:2"]
    assert found["thing:1"].kind_label == "Ting"
    assert teasers.teaser("thing:12") is None
    assert teasers.teaser("thing:3").title == "Ting 3"
