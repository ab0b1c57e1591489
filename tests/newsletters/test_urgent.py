"""Urgent internal messages: sent only by a leader, at once, on the urgent queue, through the same
ledger as the editions (exactly once), as a plain mail with the plan's four parts and the route
to report a concern."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.people.models import Role
from newsletters import tasks
from newsletters.models import Delivery, Send, UrgentMessage
from newsletters.services import deliveries
from newsletters.services.urgent import urgent_message_send
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTS = {
    "subject": "Hændelse ved Hjørring Gymnasium",
    "situation": "Der har været en alvorlig hændelse.\nPolitiet er til stede.",
    "who_acts": "Politiet og kommunens krisestab.",
    "staff_action": "Tal roligt med børn og unge, der spørger.",
    "contact": "Krisestaben: 72 33 33 33, hele døgnet.",
}


@pytest.fixture
def leader(make_staff, tree):
    return make_staff(Role.LEADER, tree["HJ"])


@pytest.fixture
def send_urgent(tree, django_capture_on_commit_callbacks):
    """send_urgent(by=..., **overrides) -> the started Send, its batches run after commit."""

    def send(*, by, execute=True, **overrides):
        fields = {**PARTS, "org_unit": tree["HJ"], **overrides}
        with django_capture_on_commit_callbacks(execute=execute):
            return urgent_message_send(**fields, by=by)

    return send


def test_a_leader_sends_an_urgent_message_to_everyone_at_once(leader, staff, send_urgent):
    send = send_urgent(by=leader)
    send.refresh_from_db()
    assert send.urgent and send.urgent_message.subject == PARTS["subject"]
    assert send.edition_id is None and send.scheduled_at is None
    # Broad by default: the whole municipality's staff, externals left out.
    assert sorted(m.to[0].lower() for m in mail.outbox) == [
        "kontor@hj.dk",
        "laerer@hj.dk",
        "paedagog@hj.dk",
    ]
    assert (send.status, send.sent_count, send.recipients_count) == (Send.Status.SENT, 3, 3)


@pytest.mark.parametrize(
    "role,unit",
    [
        (Role.COORDINATOR, "HJ"),
        (Role.DEPARTMENT_CONTACT, "HJ-BFU"),
        (Role.STEERING_GROUP, "HJ"),
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),
        (Role.LEADER, "FR"),
    ],
)
def test_only_a_leader_of_the_municipality_may_send(
    role, unit, make_staff, tree, staff, send_urgent
):
    user = make_staff(role, tree[unit])
    with pytest.raises(ValidationError) as error:
        send_urgent(by=user)
    assert error.value.code == "permission_denied"
    assert not UrgentMessage.objects.exists() and not Send.objects.exists()
    assert mail.outbox == []


def test_an_employee_may_not_send(tree, staff, send_urgent):
    employee = UserFactory()
    PersonFactory(org_unit=tree["HJ-SKOLE"], user=employee, email=employee.email)
    with pytest.raises(ValidationError):
        send_urgent(by=employee)
    assert not Send.objects.exists()


def test_a_leader_of_another_municipality_may_not_reach_this_ones_staff(
    make_staff, tree, staff, send_urgent
):
    other = make_staff(Role.LEADER, tree["FR"])
    with pytest.raises(ValidationError) as error:
        send_urgent(by=other, org_unit=tree["FR"], audience_units=[tree["HJ-SKOLE"]])
    assert "audience_units" in error.value.message_dict
    assert not Send.objects.exists() and mail.outbox == []


def test_a_leader_of_an_administration_sends_nothing_municipality_wide(
    make_staff, tree, staff, send_urgent
):
    head = make_staff(Role.LEADER, tree["HJ-BFU"])
    with pytest.raises(ValidationError):
        send_urgent(by=head)
    assert not Send.objects.exists()


def test_missing_parts_get_a_clear_danish_error_and_nothing_is_created(leader, staff, send_urgent):
    with translation.override("da"), pytest.raises(ValidationError) as error:
        send_urgent(by=leader, who_acts="  ", contact="")
    errors = error.value.message_dict
    assert errors == {
        "who_acts": ["Skriv, hvem der handler."],
        "contact": ["Skriv, hvem medarbejderne skal kontakte."],
    }
    assert not UrgentMessage.objects.exists() and not Send.objects.exists()
    assert not Delivery.objects.exists() and mail.outbox == []


def test_it_goes_to_the_urgent_queue(leader, staff, send_urgent, monkeypatch):
    queues = []
    monkeypatch.setattr(
        tasks.send_batch, "apply_async", lambda args, queue, **kw: queues.append((args, queue))
    )
    send = send_urgent(by=leader)
    assert queues == [((send.pk,), settings.NEWSLETTER_URGENT_QUEUE)] * settings.NEWSLETTER_WORKERS
    assert settings.NEWSLETTER_URGENT_QUEUE != settings.NEWSLETTER_QUEUE


def test_through_the_ledger_exactly_once(leader, staff, send_urgent):
    send = send_urgent(by=leader, execute=False)
    rows = Delivery.objects.filter(send=send)
    assert rows.count() == 3 and set(rows.values_list("status", flat=True)) == {"pending"}
    # Two batches (two workers, or a task delivered twice) send each recipient once.
    first = deliveries.deliveries_send_batch(send_id=send.pk)
    second = deliveries.deliveries_send_batch(send_id=send.pk)
    assert (first.sent, second.sent) == (3, 0)
    assert len(mail.outbox) == 3
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    send.refresh_from_db()
    assert send.status == Send.Status.SENT


def test_the_mail_holds_the_four_parts_and_the_concern_route(leader, staff, send_urgent):
    send_urgent(by=leader, audience_units=[staff["teacher"].org_unit])
    [message] = [m for m in mail.outbox if m.to == ["laerer@hj.dk"]]
    assert message.subject == f"Vigtig besked: {PARTS['subject']}"
    html = message.alternatives[0][0]
    text = message.body
    for value in (
        "Der har været en alvorlig hændelse.",
        "Politiet og kommunens krisestab.",
        "Tal roligt med børn og unge, der spørger.",
        "Krisestaben: 72 33 33 33",
    ):
        assert value in html and value in text
    for heading in (
        "Hvad er sket, og hvad gøres",
        "Hvem handler",
        "Sådan skal du handle",
        "Hvem du kan kontakte",
    ):
        assert heading in html and heading in text
    assert "Er du bekymret for en person?" in text and "/bekymring/" in text
    assert 'href="http' in html and "/bekymring/" in html
    assert "<br>" in html  # the line break the leader wrote
    # Internal staff cannot unsubscribe from work communication.
    assert "List-Unsubscribe" not in message.extra_headers


def test_externals_by_choice_with_their_opt_out(leader, staff, send_urgent):
    send_urgent(by=leader, include_externals=True)
    [external] = [m for m in mail.outbox if m.to == ["lektor@gym.dk"]]
    assert external.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/nyhedsbrev/afmeld/" in external.body


def test_what_the_leader_wrote_is_escaped(leader, staff, send_urgent):
    send_urgent(
        by=leader, situation="<script>alert(1)</script>", audience_units=[staff["teacher"].org_unit]
    )
    [message] = [m for m in mail.outbox if m.to == ["laerer@hj.dk"]]
    assert "<script>" not in message.alternatives[0][0]
    assert "&lt;script&gt;" in message.alternatives[0][0]


def test_the_coordinator_may_not_run_a_leaders_urgent_send(leader, coordinator, staff, send_urgent):
    from newsletters.services import sends as send_services

    send = send_urgent(by=leader, execute=False)
    with pytest.raises(ValidationError):
        send_services.send_pause(send=send, by=coordinator)
    send_services.send_pause(send=send, by=leader)
