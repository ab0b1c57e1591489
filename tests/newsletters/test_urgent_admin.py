"""The leaders' admin for urgent messages: who sees it, write → confirm (with the count) → sent,
the progress page, and errors that create nothing."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from lms.people.models import Role
from newsletters.models import Send, UrgentMessage
from newsletters.services.urgent import urgent_message_send

pytestmark = pytest.mark.django_db

PARTS = {
    "subject": "Hændelse i byen",
    "situation": "Der har været en alvorlig hændelse.",
    "who_acts": "Politiet og krisestaben.",
    "staff_action": "Hold børnene indenfor.",
    "contact": "Krisestaben: 72 33 33 33.",
}


@pytest.fixture
def admin_staff(make_staff, mfa):
    def make(role, unit):
        return mfa(make_staff(role, unit))

    return make


@pytest.fixture
def leader(admin_staff, tree):
    return admin_staff(Role.LEADER, tree["HJ"])


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to its home and a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def form_data(tree, **overrides):
    return {
        **PARTS,
        "org_unit": tree["HJ"].pk,
        "audience_units": [tree["HJ"].pk],
        **overrides,
    }


def test_a_leader_reaches_the_admin_and_sees_the_menu(client, leader):
    client.force_login(leader)
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert reverse("urgent_messages:index") in home.content.decode()


@pytest.mark.parametrize(
    "role,unit",
    [(Role.COORDINATOR, "HJ"), (Role.DEPARTMENT_CONTACT, "HJ-BFU"), (Role.STEERING_GROUP, "HJ")],
)
def test_others_are_refused(client, admin_staff, tree, role, unit):
    client.force_login(admin_staff(role, tree[unit]))
    assert refused(client.get(reverse("urgent_messages:index")))
    assert refused(client.get(reverse("urgent_messages:create")))
    response = client.post(
        reverse("urgent_messages:create"), {**form_data(tree), "confirm": "send"}
    )
    assert refused(response)
    assert not Send.objects.exists()


def test_write_confirm_send_and_see_the_progress(
    client, leader, tree, staff, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    form = client.get(reverse("urgent_messages:create"))
    html = form.content.decode()
    # Prefilled with the Infohus's default audience: the whole municipality.
    assert f'<option value="{tree["HJ"].pk}" selected>' in html
    confirm = client.post(reverse("urgent_messages:create"), form_data(tree))
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "Beskeden sendes nu til 3 personer." in body
    assert not Send.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("urgent_messages:create"), {**form_data(tree), "confirm": "send"}
        )
    send = Send.objects.get()
    assert sent.status_code == 302 and sent.url == reverse("urgent_messages:item", args=(send.pk,))
    assert send.created_by == leader and send.urgent
    assert len(mail.outbox) == 3
    page = client.get(sent.url).content.decode()
    assert "Hændelse i byen" in page and "Sendt" in page
    # The same progress block and script as an edition's send page, polling the one endpoint.
    assert 'data-nl-field="sent">3<' in page
    assert "newsletters/send_progress.js" in page and "urgent-progress.js" not in page
    progress_url = reverse("newsletter_sends:progress", args=(send.pk,))
    assert f'data-nl-progress="{progress_url}"' in page
    data = client.get(progress_url).json()
    assert (data["recipients"], data["sent"], data["pending"], data["failed"]) == (3, 3, 0, 0)
    assert data["status_label"] == "Sendt" and data["finished"] is True
    assert {"rate_per_minute", "eta_seconds", "eta_text"} <= set(data)
    index = client.get(reverse("urgent_messages:index")).content.decode()
    assert "Hændelse i byen" in index


def test_missing_parts_are_shown_in_danish_and_nothing_is_sent(client, leader, tree, staff):
    client.force_login(leader)
    data = form_data(tree, situation="", contact="", audience_units=[])
    response = client.post(reverse("urgent_messages:create"), {**data, "confirm": "send"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Skriv, hvad der er sket, og hvad der gøres." in body
    assert "Skriv, hvem medarbejderne skal kontakte." in body
    assert "Vælg mindst én enhed at sende til." in body
    assert not UrgentMessage.objects.exists() and mail.outbox == []


def test_units_outside_the_leaders_area_are_not_offered_nor_accepted(client, leader, tree):
    client.force_login(leader)
    html = client.get(reverse("urgent_messages:create")).content.decode()
    assert f'value="{tree["FR"].pk}"' not in html
    data = form_data(tree, audience_units=[tree["FR-SKOLE"].pk])
    response = client.post(reverse("urgent_messages:create"), {**data, "confirm": "send"})
    assert response.status_code == 200 and not Send.objects.exists()


def test_another_municipalitys_message_is_not_found(client, admin_staff, tree, staff):
    other = admin_staff(Role.LEADER, tree["FR"])
    send = urgent_message_send(**PARTS, org_unit=tree["FR"], audience_units=[tree["FR"]], by=other)
    progress_url = reverse("newsletter_sends:progress", args=(send.pk,))
    client.force_login(admin_staff(Role.LEADER, tree["HJ"]))
    assert client.get(reverse("urgent_messages:item", args=(send.pk,))).status_code == 404
    assert client.get(progress_url).status_code == 404
    client.force_login(other)
    assert client.get(reverse("urgent_messages:item", args=(send.pk,))).status_code == 200
    assert client.get(progress_url).status_code == 200


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.STEERING_GROUP])
def test_an_urgent_messages_progress_is_the_leaders_alone(client, admin_staff, tree, staff, role):
    """The edition sends' VIEW scope does not open an urgent message's progress."""
    send = urgent_message_send(
        **PARTS,
        org_unit=tree["HJ"],
        audience_units=[tree["HJ"]],
        by=admin_staff(Role.LEADER, tree["HJ"]),
    )
    client.force_login(admin_staff(role, tree["HJ"]))
    assert client.get(reverse("newsletter_sends:progress", args=(send.pk,))).status_code == 404


def test_the_progress_of_a_message_that_does_not_exist_is_not_found(client, leader):
    client.force_login(leader)
    assert client.get(reverse("newsletter_sends:progress", args=(999_999,))).status_code == 404
    # The old fragment is gone: ?part=progress is the whole page's business no more.
    assert (
        client.get(
            reverse("urgent_messages:item", args=(999_999,)), {"part": "progress"}
        ).status_code
        == 404
    )


def test_a_coordinator_sets_the_infohus_default_audience(client, admin_staff, tree):
    from newsletters.selectors.audiences import default_audience

    coordinator = admin_staff(Role.COORDINATOR, tree["HJ"])
    client.force_login(coordinator)
    index = client.get(reverse("newsletter_audiences:index"))
    assert index.status_code == 200 and tree["HJ"].name in index.content.decode()
    url = reverse("newsletter_audiences:edit", args=(tree["HJ"].pk,))
    assert f'value="{tree["FR-SKOLE"].pk}"' not in client.get(url).content.decode()
    response = client.post(url, {"units": [tree["HJ-SKOLE"].pk], "include_externals": "on"})
    assert response.status_code == 302
    audience = default_audience(tree["HJ"])
    assert audience.units == [tree["HJ-SKOLE"]] and audience.include_externals
    # Another municipality's Infohus is not theirs; the steering group only looks.
    assert (
        client.get(reverse("newsletter_audiences:edit", args=(tree["FR"].pk,))).status_code == 404
    )
    client.force_login(admin_staff(Role.STEERING_GROUP, tree["HJ"]))
    assert refused(client.get(reverse("newsletter_audiences:index")))
