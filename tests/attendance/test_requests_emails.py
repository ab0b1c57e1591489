"""Meeting-request emails: who is told what, in Danish, after commit, and nothing stale."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from attendance import services, tasks
from attendance.emails import requests as request_emails
from attendance.models import MeetingRequest
from lms.people.models import Role
from tests.factories import PersonFactory, UserFactory

from .builders import accept_data, future, request_data

S = MeetingRequest.Status


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def bodies(message) -> tuple[str, str]:
    html = next(content for content, kind in message.alternatives if kind == "text/html")
    return message.body, html


def test_a_new_request_tells_the_coordinators_who_may_answer(cast, make_request, on_commit):
    # A second coordinator of the municipality, and one of the administration only.
    second = UserFactory()
    cast.coordinator.role_assignments.model.objects.create(
        user=second, role=Role.COORDINATOR, org_unit=cast.units["HJ"]
    )
    UserFactory(is_superuser=True)  # the installation's admin is not told
    with on_commit():
        request = make_request()
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([cast.coordinator.email, second.email])
    message = mail.outbox[0]
    assert message.subject == "Ny mødeanmodning: HJ Gymnasium"
    text, html = bodies(message)
    assert "HJ Gymnasium har bedt Infohuset om et møde" in text
    assert "Informationsmøde" in text and "30" in text
    assert f"/admin/meeting-requests/{request.pk}/" in text
    assert f'href="{settings.LMS_BASE_URL}/admin/meeting-requests/{request.pk}/"' in html
    # The requester's free text and identity stay on the page, out of the mail.
    assert "Gerne om bekymringstegn" not in text
    assert cast.institution.email not in text + html
    # The other municipality's coordinator hears nothing.
    assert cast.other_coordinator.email not in recipients


def test_nobody_with_a_role_then_the_superuser_is_told(tree, make_staff, on_commit):
    admin = UserFactory(is_superuser=True)
    requester = make_staff(Role.INSTITUTION_COORDINATOR, tree["FR-GYM"])
    with on_commit():
        services.request_create(by=requester, **request_data(tree["FR-GYM"]))
    assert [m.to for m in mail.outbox] == [[admin.email]]


def test_accepted_mail_to_the_requester_has_the_meeting_link(cast, make_request, on_commit):
    PersonFactory(
        user=cast.institution,
        email=cast.institution.email,
        name="Camilla Friis",
        org_unit=cast.units["HJ-GYM"],
    )
    request = make_request()
    mail.outbox.clear()
    with on_commit():
        services.request_accept(request=request, by=cast.coordinator, **accept_data())
    assert [m.to for m in mail.outbox] == [[cast.institution.email]]
    message = mail.outbox[0]
    assert message.subject == "Jeres mødeanmodning er imødekommet: HJ Gymnasium"
    text, html = bodies(message)
    assert text.startswith("Kære Camilla Friis,")
    assert "Informationsmøde for gymnasiet" in text
    request.refresh_from_db()
    assert f"/moeder/{request.meeting.pk}/" in text
    assert f"/moeder/anmodninger/{request.pk}/" in html
    assert "kl. 10.00–12.00" in text


def test_proposed_mail_has_the_time_and_the_request_page(cast, make_request, on_commit):
    request = make_request()
    mail.outbox.clear()
    with on_commit():
        services.request_propose(
            request=request, by=cast.coordinator, starts_at=future(30, 14), ends_at=future(30, 16)
        )
    message = mail.outbox[-1]
    assert message.to == [cast.institution.email]
    assert message.subject.startswith("Der er foreslået et andet tidspunkt")
    text, _html = bodies(message)
    assert text.startswith("Hej,")
    assert "kl. 14.00–16.00" in text
    assert f"{settings.LMS_BASE_URL}/moeder/anmodninger/{request.pk}/" in text


def test_declined_mail_carries_the_reason(cast, make_request, on_commit):
    request = make_request()
    mail.outbox.clear()
    with on_commit():
        services.request_decline(request=request, by=cast.coordinator, reason="Ingen kapacitet.")
    message = mail.outbox[-1]
    assert message.to == [cast.institution.email]
    assert message.subject == "Jeres mødeanmodning er afvist: HJ Gymnasium"
    text, html = bodies(message)
    assert "Begrundelse: Ingen kapacitet." in text and "Ingen kapacitet." in html


def test_the_proposing_coordinator_hears_the_requester_s_answer(cast, make_request, on_commit):
    first = make_request()
    second = make_request()
    for request in (first, second):
        services.request_propose(
            request=request, by=cast.coordinator, starts_at=future(30), ends_at=future(30, 12)
        )
    mail.outbox.clear()
    with on_commit():
        services.request_proposal_accept(request=first, by=cast.institution)
    message = mail.outbox[-1]
    assert message.to == [cast.coordinator.email]
    assert message.subject == "Det foreslåede tidspunkt er accepteret: HJ Gymnasium"
    first.refresh_from_db()
    assert f"/admin/meetings/inspect/{first.meeting.pk}/" in message.body
    mail.outbox.clear()
    with on_commit():
        services.request_proposal_decline(request=second, message="Kun tirsdage", by=cast.colleague)
    message = mail.outbox[-1]
    assert message.to == [cast.coordinator.email]
    assert message.subject == "Det foreslåede tidspunkt passer ikke: HJ Gymnasium"
    assert f"/admin/meeting-requests/{second.pk}/" in message.body
    assert "Kun tirsdage" not in message.body


def test_nothing_is_sent_for_a_rolled_back_change_or_for_withdrawal(cast, make_request, on_commit):
    with on_commit():
        request = make_request()
    mail.outbox.clear()
    with on_commit():
        services.request_withdraw(request=request, by=cast.institution)
    assert mail.outbox == []
    with on_commit(), pytest.raises(ValidationError):
        services.request_decline(request=request, by=cast.coordinator, reason="x")
    assert mail.outbox == []


def test_stale_tasks_send_nothing(cast, make_request):
    request = make_request()
    services.request_decline(request=request, by=cast.coordinator, reason="Nej")
    # Run late: the request is no longer waiting, and the status has moved on.
    assert tasks.send_request_submitted.apply(args=(request.pk,)).get() == 0
    assert not request_emails.submitted_send(request_id=request.pk, user_id=cast.coordinator.pk)
    assert not request_emails.answered_send(request_id=request.pk, status=S.ACCEPTED)
    assert not request_emails.answered_send(request_id=request.pk, status=S.PROPOSED)
    assert not request_emails.proposal_answered_send(request_id=request.pk, accepted=True)
    assert not request_emails.answered_send(request_id=999999, status=S.DECLINED)
    assert mail.outbox == []
    # A user who may not answer gets nothing even if their id is given.
    other = make_request()
    assert not request_emails.submitted_send(request_id=other.pk, user_id=cast.other_coordinator.pk)
    assert request_emails.submitted_send(request_id=other.pk, user_id=cast.coordinator.pk)
    assert len(mail.outbox) == 1
