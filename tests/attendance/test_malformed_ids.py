"""Ids from query strings, forms and URLs that are not plain ASCII digits give 400 or 404, never a
server error (issue 8, security 3). Every place that reads an id from a request is hit, public
pages and the admin, as a user allowed there."""

import pytest
from django.core.exceptions import BadRequest
from django.urls import reverse

from lms.parsing import is_id, parse_id
from lms.people.models import Role
from tests.factories import CompetenceFactory

BAD = ["²", "٣", "abc", "-1", "1e3", "99999999999999999999", " 7", "7 "]


@pytest.mark.parametrize("value", BAD)
def test_the_parser_refuses(value):
    assert not is_id(value)
    with pytest.raises(BadRequest):
        parse_id(value)


@pytest.mark.parametrize("value", ["0", "7", "123456789012345678"])
def test_the_parser_accepts_ascii_digits(value):
    assert parse_id(value) == int(value)


@pytest.fixture
def world(tree, make_card, live_meeting, make_employee, make_staff, mfa):
    card = make_card()
    people = [make_employee(tree["HJ-SKOLE"])]
    meeting = live_meeting(
        tree["HJ"], audience=[tree["HJ-BFU"]], registrants=people, competence=CompetenceFactory()
    )
    coordinator = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    return {"card": card, "meeting": meeting, "coordinator": coordinator}


def _requests(world):
    """(needs sign-in, method, url, data builder) for every place that reads an id."""
    card, meeting = world["card"], world["meeting"]
    sheet_walk_in = reverse("attendance_admin:walk_in", args=(meeting.pk,))
    return [
        (False, "get", reverse("cards:pdf", args=(card.slug,)), lambda v: {"version": v}),
        (True, "get", reverse("evidence:record"), lambda v: {"person": v}),
        (True, "get", reverse("cards_in_circulation:index"), lambda v: {"card": v}),
        (True, "get", reverse("card_distributions:add"), lambda v: {"meeting": v}),
        (True, "post", reverse("card_distributions:add"), lambda v: {"meeting": v}),
        (True, "post", sheet_walk_in, lambda v: {"person": v}),
    ]


@pytest.mark.parametrize("value", BAD)
def test_every_id_parameter_gives_400_or_404(client, world, value):
    for signed_in, method, url, data in _requests(world):
        if signed_in:
            client.force_login(world["coordinator"])
        else:
            client.logout()
        response = getattr(client, method)(url, data(value))
        assert response.status_code in (400, 404), (url, value, response.status_code)


@pytest.mark.parametrize("value", ["99999999999999999999", "123456789012345678"])
def test_huge_ids_in_urls_give_404(client, world, value):
    client.force_login(world["coordinator"])
    for url in (
        f"/moeder/{value}/",
        reverse("competences:edit", args=[0]).replace("/0/", f"/{value}/"),
        reverse("meetings:inspect", args=[0]).replace("/0/", f"/{value}/"),
        reverse("attendance_admin:sheet", args=[0]).replace("/0/", f"/{value}/"),
        reverse("evidence:person", args=[0]).replace("/0/", f"/{value}/"),
    ):
        assert client.get(url).status_code == 404, url


def test_admin_filters_survive_bad_ids(client, world):
    client.force_login(world["coordinator"])
    for url, name in (
        (reverse("persons:index"), "org_unit"),
        (reverse("card_distributions:index"), "version"),
        (reverse("meetings:index"), "starts_at_after"),
    ):
        for value in BAD:
            assert client.get(url, {name: value}).status_code != 500, (url, value)


@pytest.mark.parametrize("value", ["99999999999999999999", "²", "abc"])
def test_multiple_choices_of_rows_refuse_bad_ids(client, world, tree, value):
    """A form's multiple choice of rows (ModelMultipleChoiceField asks `pk__in`) says "not a
    choice" for an id no column can hold, instead of failing in the database driver."""
    client.force_login(world["coordinator"])
    meeting = world["meeting"]
    response = client.post(
        reverse("meetings:edit", args=[meeting.pk]),
        {"title": "x", "audience_units": [value], "job_categories": [value]},
    )
    assert response.status_code == 200
    assert "audience_units" in response.context["form"].errors


def test_in_lookups_drop_ids_no_column_holds(tree):
    from lms.people.models import OrgUnit

    huge = int("9" * 20)
    assert not OrgUnit.objects.filter(pk__in=[huge]).exists()
    assert list(OrgUnit.objects.filter(pk__in=[huge, tree["HJ"].pk])) == [tree["HJ"]]
