"""The demo's coverage figures: `load_demo_data` computes the aggregate, so the demo steering
group's "Overblik" has figures straight away, suppressed for it."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from lms.people.models import User
from reports.models import CoverageCell

pytestmark = pytest.mark.django_db


def test_the_demo_steering_group_sees_figures(client, mfa):
    call_command("load_demo_data", stdout=StringIO())
    assert CoverageCell.objects.exists()
    client.force_login(mfa(User.objects.get(email="styregruppe@demo.infohus.dk")))
    response = client.get(reverse("reports_coverage:index"))
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.unit.name == "Hjørring Kommune"
    assert overview.suppressed and overview.by_competence and overview.computed_at
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Dækning i forhold til krav" in home
