"""A card distribution's pages in the admin name it in Danish: its title is not the code's
"distribution #12" (issue 8, words)."""

import datetime as dt

import pytest
from django.urls import reverse

from attendance.models import CardDistribution
from lms.people.models import Role


@pytest.fixture
def distribution(tree, make_card):
    card = make_card()
    return CardDistribution.objects.create(
        version=card.current_version,
        org_unit=tree["HJ-SKOLE"],
        quantity=5,
        handed_out_on=dt.date(2026, 1, 15),
    )


def test_a_distribution_s_admin_pages_are_titled_in_danish(
    client, tree, make_staff, mfa, distribution
):
    client.force_login(mfa(make_staff(Role.COORDINATOR, tree["HJ"])))
    checked = []
    for view in ("inspect", "edit", "delete"):
        url = reverse(f"card_distributions:{view}", args=[distribution.pk])
        response = client.get(url)
        if response.status_code != 200:  # a view the viewset does not offer, or not to this role
            continue
        checked.append(view)
        html = response.content.decode()
        assert "distribution #" not in html, view
        assert f"Uddeling nr. {distribution.pk}" in html, view
    assert "inspect" in checked
