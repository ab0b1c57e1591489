"""'Vigtige beskeder' on a leader's admin home: their municipality's recent urgent messages with
status, time and the ledger's delivered and failed counts, the one click to write a new one; no
other role gets the panel; its queries do not grow with the number of messages."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from lms.people.models import Role
from newsletters.models import Delivery
from newsletters.panels import UrgentMessagesPanel, home_panels_for
from newsletters.services.urgent import urgent_message_send
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "situation": "Der har været en alvorlig hændelse.",
    "who_acts": "Politiet og krisestaben.",
    "staff_action": "Hold børnene indenfor.",
    "contact": "Krisestaben: 72 33 33 33.",
}


@pytest.fixture
def leaders(make_staff, mfa, tree):
    return {m: mfa(make_staff(Role.LEADER, tree[m])) for m in ("HJ", "FR")}


def message(leader, unit, subject):
    return urgent_message_send(org_unit=unit, subject=subject, by=leader, **PARTS)


@pytest.fixture
def messages(leaders, tree):
    """One message from each municipality; HJ's has one delivery sent and one failed."""
    for m in ("HJ", "FR"):
        for n in range(3):
            PersonFactory(org_unit=tree[f"{m}-SKOLE"], email=f"p{n}@{m.lower()}.dk")
    hj = message(leaders["HJ"], tree["HJ"], "Hændelse i Hjørring")
    message(leaders["FR"], tree["FR"], "Hændelse i Frederikshavn")
    first, second, _ = Delivery.objects.filter(send=hj).order_by("pk")
    Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.SENT, sent_at=timezone.now())
    Delivery.objects.filter(pk=second.pk).update(status=Delivery.Status.FAILED)
    return hj


def panel_html(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_leader_sees_their_messages_with_the_ledger_counts_and_the_button(
    client, leaders, messages
):
    html = panel_html(client, leaders["HJ"])
    assert "Vigtige beskeder" in html
    assert f'href="{reverse("urgent_messages:create")}">Send en vigtig besked<' in html
    assert reverse("urgent_messages:item", args=(messages.pk,)) in html
    assert "Hændelse i Hjørring" in html
    # Another municipality's message is not theirs.
    assert "Hændelse i Frederikshavn" not in html
    request = RequestFactory().get("/")
    request.user = leaders["HJ"]
    (only,) = UrgentMessagesPanel(request).rows()
    assert (only["sent"], only["failed"], only["recipients"]) == (1, 1, 3)
    assert only["status"] == "Sendes"


def test_a_leader_without_messages_sees_the_button_and_an_empty_list(client, leaders):
    html = panel_html(client, leaders["FR"])
    assert "Vigtige beskeder" in html and "Send en vigtig besked" in html
    assert "Der er ikke sendt nogen vigtig besked." in html


@pytest.mark.parametrize(
    "role,unit",
    [
        (Role.COORDINATOR, "HJ"),
        (Role.DEPARTMENT_CONTACT, "HJ-BFU"),
        (Role.STEERING_GROUP, "HJ"),
        (Role.SSP_CONSULTANT, "HJ"),
    ],
)
def test_other_roles_get_no_panel(client, make_staff, mfa, tree, messages, role, unit):
    user = mfa(make_staff(role, tree[unit]))
    request = RequestFactory().get("/")
    request.user = user
    assert not any(isinstance(p, UrgentMessagesPanel) for p in home_panels_for(request))
    html = panel_html(client, user)
    assert "Send en vigtig besked" not in html
    assert "Hændelse i Hjørring" not in html


def test_an_employee_gets_no_panel(tree):
    from tests.factories import UserFactory

    request = RequestFactory().get("/")
    request.user = UserFactory()
    assert home_panels_for(request) == []


@pytest.mark.parametrize("count", [1, 4])
def test_the_panel_takes_the_same_queries_for_one_message_as_for_four(
    leaders, tree, staff_for_count, assert_queries, count
):
    for n in range(count):
        message(leaders["HJ"], tree["HJ"], f"Besked {n}")
    request = RequestFactory().get("/")
    request.user = leaders["HJ"]
    rows = assert_queries(2, lambda: UrgentMessagesPanel(request).rows())
    assert len(rows) == count


@pytest.fixture
def staff_for_count(tree):
    for n in range(2):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"q{n}@hj.dk")
