"""Min side for the Infohus members who read cases (SSP consultant, police representative,
coordinator): how many of their municipality's cases are open and past their deadline, one click
from the cases; counts only, never a reference. Nobody else gets the section."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.concerns.models import Concern

from .builders import concern_make

pytestmark = pytest.mark.django_db

MY_PAGE = reverse("site:my_page")


@pytest.fixture
def cases(cast):
    """Two open cases of HJ, one of them overdue, and one of FR."""
    late = concern_make(infohus=cast.units["HJ"], kind="partner")
    Concern.objects.filter(pk=late.pk).update(
        acknowledge_due_on=timezone.localdate() - dt.timedelta(days=3)
    )
    concern_make(infohus=cast.units["HJ"], kind="partner")
    concern_make(infohus=cast.units["FR"], kind="partner")
    return Concern.objects.get(pk=late.pk)


@pytest.mark.parametrize("who", ["ssp", "police", "coordinator"])
def test_the_members_see_their_counts_and_reach_the_cases(client, cast, cases, who):
    client.force_login(getattr(cast, who))
    html = client.get(MY_PAGE).content.decode()
    assert "Bekymringer" in html
    assert "2 åbne sager." in html
    assert "1 sag har overskredet sin frist." in html
    assert f'href="{reverse("concerns_admin:index")}?status=open"' in html
    assert "Åbn bekymringerne" in html
    # Counts only: no reference on Min side.
    assert cases.reference not in html


@pytest.mark.parametrize("who", ["employee", "contact", "steering", "institution", "superuser"])
def test_no_one_else_gets_the_section(client, cast, cases, who):
    client.force_login(getattr(cast, who))
    html = client.get(MY_PAGE).content.decode()
    assert "Åbn bekymringerne" not in html and "åbne sager" not in html


def test_another_municipalitys_member_counts_only_their_own(client, cast, cases):
    client.force_login(cast.other_ssp)
    html = client.get(MY_PAGE).content.decode()
    assert "1 åben sag." in html and "overskredet" not in html
