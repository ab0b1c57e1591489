"""Sends: creating, scheduling and starting them, who may, and the recipient list frozen at the
start with each skipped person's reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lms.people.models import Role
from newsletters.models import BouncingAddress, Delivery, OptOut, Send
from newsletters.selectors.audiences import audience_preview
from newsletters.services import sends as send_services
from tests.factories import JobCategoryFactory, PersonFactory

from .conftest import edition_make

D = Delivery.Status
R = Delivery.SkipReason
pytestmark = pytest.mark.django_db


def ledger(send) -> dict[str, tuple[str, str]]:
    return {d.email: (d.status, d.skip_reason) for d in Delivery.objects.filter(send=send)}


def test_a_coordinator_creates_and_starts_a_send_and_the_ledger_holds_one_row_per_person(
    make_send, coordinator, staff, tree
):
    send = make_send(by=coordinator)
    assert send.status == Send.Status.DRAFT
    assert send.created_by == coordinator
    send = send_services.send_start(send=send, by=coordinator)
    assert send.status == Send.Status.SENDING
    assert send.started_at is not None
    # Externals are left out unless the send includes them.
    assert ledger(send) == {
        "laerer@hj.dk": (D.PENDING, ""),
        "Paedagog@hj.dk": (D.PENDING, ""),
        "kontor@hj.dk": (D.PENDING, ""),
    }
    assert (send.recipients_count, send.pending_count, send.skipped_count) == (3, 3, 0)
    assert not Delivery.objects.filter(send=send, external=True).exists()
    assert send.rendered["subject"] == "Nyhedsbrev \u2013 Forår 2027"


def test_externals_are_included_on_request_and_marked_external(make_send, staff, tree):
    send = make_send(include_externals=True, start=True)
    rows = {d.email: d.external for d in Delivery.objects.filter(send=send)}
    assert rows == {
        "laerer@hj.dk": False,
        "Paedagog@hj.dk": False,
        "kontor@hj.dk": False,
        "lektor@gym.dk": True,
    }


def test_an_audience_inside_an_external_institution_is_external(make_send, staff, tree):
    send = make_send([tree["HJ-GYM"]], include_externals=True, start=True)
    assert [(d.email, d.external) for d in Delivery.objects.filter(send=send)] == [
        ("lektor@gym.dk", True)
    ]


def test_job_categories_narrow_the_audience(make_send, staff, tree):
    send = make_send(job_categories=[staff["clerk"].job_category], start=True)
    assert list(Delivery.objects.filter(send=send).values_list("email", flat=True)) == [
        "kontor@hj.dk"
    ]


def test_skipped_people_get_a_row_with_the_reason(make_send, staff, tree):
    gone = PersonFactory(
        org_unit=tree["HJ-SKOLE"], email="gone@hj.dk", active=False, left_on=dt.date(2026, 1, 1)
    )
    PersonFactory(org_unit=tree["HJ-SKOLE"], email="")
    PersonFactory(org_unit=tree["HJ-SKOLE"], email="anon@hj.dk", anonymised_at=timezone.now())
    BouncingAddress.objects.create(email="kontor@hj.dk", smtp_code=550, bounced_at=timezone.now())
    OptOut.objects.create(email="lektor@gym.dk")
    # An internal person's opt-out counts for nothing: work communication.
    OptOut.objects.create(email="laerer@hj.dk")
    send = make_send(include_externals=True)
    assert audience_preview(send) == {
        "": 2,
        R.LEFT: 1,
        R.NO_EMAIL: 1,
        R.BOUNCING: 1,
        R.OPTED_OUT: 1,
    }
    send = send_services.send_start(send=send, by=None)
    assert ledger(send) == {
        "laerer@hj.dk": (D.PENDING, ""),
        "Paedagog@hj.dk": (D.PENDING, ""),
        "kontor@hj.dk": (D.SKIPPED, R.BOUNCING),
        "lektor@gym.dk": (D.SKIPPED, R.OPTED_OUT),
        gone.email: (D.SKIPPED, R.LEFT),
        "": (D.SKIPPED, R.NO_EMAIL),
    }
    assert (send.recipients_count, send.pending_count, send.skipped_count) == (6, 2, 4)


def test_the_recipient_list_is_frozen_at_the_start(make_send, staff, tree):
    send = make_send(start=True)
    before = ledger(send)
    PersonFactory(org_unit=tree["HJ-SKOLE"], email="ny@hj.dk")
    staff["teacher"].email = "changed@hj.dk"
    staff["teacher"].save()
    staff["clerk"].active = False
    staff["clerk"].left_on = dt.date(2026, 6, 1)
    staff["clerk"].save()
    assert ledger(send) == before


def test_a_send_starts_once(make_send, staff):
    send = make_send(start=True)
    with pytest.raises(ValidationError) as error:
        send_services.send_start(send=send, by=None)
    assert error.value.code == "invalid_transition"
    assert Delivery.objects.filter(send=send).count() == 3


def test_no_audience_is_refused_and_nothing_is_written(make_send):
    with pytest.raises(ValidationError) as error:
        make_send([])
    assert error.value.error_dict["audience_units"][0].code == "no_audience"
    assert not Send.objects.exists()


def test_an_unpublished_edition_cannot_be_sent(make_send, staff, tree):
    draft = edition_make(title="Kladde", publish=False)
    send = make_send(edition=draft)
    with pytest.raises(ValidationError) as error:
        send_services.send_start(send=send, by=None)
    assert error.value.error_dict["edition"][0].code == "edition_not_live"
    send.refresh_from_db()
    assert send.status == Send.Status.DRAFT
    assert not Delivery.objects.exists()


def test_a_coordinator_may_not_send_to_another_municipality(make_send, coordinator, tree):
    with pytest.raises(ValidationError) as error:
        make_send([tree["FR-SKOLE"]], by=coordinator)
    assert error.value.error_dict["audience_units"][0].code == "audience_out_of_scope"
    # Not even from a unit of theirs: the audience lies under the sending Infohus.
    with pytest.raises(ValidationError):
        make_send([tree["FR"]], org_unit=tree["HJ"], by=None)
    assert not Send.objects.exists()


def test_a_coordinator_of_a_school_sends_only_to_the_school(make_send, make_staff, tree):
    school = make_staff(Role.COORDINATOR, tree["HJ-SKOLE"])
    with pytest.raises(ValidationError) as error:
        make_send([tree["HJ-SKOLE"]], by=school)
    # The send belongs to the municipality's Infohus, outside their scope.
    assert error.value.code == "permission_denied"
    send = make_send([tree["HJ-SKOLE"]], org_unit=tree["HJ-SKOLE"], by=school)
    assert list(send.audience_units.all()) == [tree["HJ-SKOLE"]]


@pytest.mark.parametrize(
    "role", [Role.DEPARTMENT_CONTACT, Role.INSTITUTION_COORDINATOR, Role.STEERING_GROUP]
)
def test_other_roles_may_neither_write_nor_send(make_send, make_staff, tree, role):
    user = make_staff(role, tree["HJ"])
    with pytest.raises(ValidationError) as error:
        make_send(by=user)
    assert error.value.code == "permission_denied"
    send = make_send()
    for service in (send_services.send_start, send_services.send_cancel):
        with pytest.raises(ValidationError):
            service(send=send, by=user)
    send.refresh_from_db()
    assert send.status == Send.Status.DRAFT


def test_a_coordinator_of_another_municipality_may_not_start_it(make_send, make_staff, tree):
    other = make_staff(Role.COORDINATOR, tree["FR"])
    send = make_send()
    with pytest.raises(ValidationError):
        send_services.send_start(send=send, by=other)
    assert not Delivery.objects.exists()


def test_schedule_then_the_beat_starts_it_when_due(make_send, coordinator, staff):
    send = make_send(by=coordinator)
    at = timezone.now() + dt.timedelta(hours=1)
    send = send_services.send_schedule(send=send, at=at, by=coordinator)
    assert (send.status, send.scheduled_at, send.scheduled_by) == (
        Send.Status.SCHEDULED,
        at,
        coordinator,
    )
    assert send_services.sends_start_due(now=at - dt.timedelta(minutes=1)) == []
    assert send_services.sends_start_due(now=at + dt.timedelta(seconds=1)) == [send.pk]
    send.refresh_from_db()
    assert send.status == Send.Status.SENDING
    assert Delivery.objects.filter(send=send).count() == 3


def test_a_scheduled_send_whose_scheduler_lost_the_role_becomes_a_draft(
    make_send, coordinator, staff
):
    send = make_send(by=coordinator)
    at = timezone.now() + dt.timedelta(hours=1)
    send_services.send_schedule(send=send, at=at, by=coordinator)
    coordinator.role_assignments.all().delete()
    assert send_services.sends_start_due(now=at + dt.timedelta(seconds=1)) == []
    send.refresh_from_db()
    assert (send.status, send.scheduled_at) == (Send.Status.DRAFT, None)
    assert not Delivery.objects.exists()


def test_scheduling_in_the_past_is_refused(make_send, coordinator):
    send = make_send(by=coordinator)
    with pytest.raises(ValidationError) as error:
        send_services.send_schedule(
            send=send, at=timezone.now() - dt.timedelta(minutes=1), by=coordinator
        )
    assert error.value.error_dict["scheduled_at"][0].code == "schedule_in_past"
    send.refresh_from_db()
    assert send.status == Send.Status.DRAFT


@pytest.mark.parametrize(
    "at",
    [
        dt.datetime(9999, 12, 31, 23, 30, tzinfo=dt.UTC),
        dt.datetime(2101, 1, 2, 10, 0, tzinfo=dt.UTC),
    ],
)
def test_scheduling_beyond_the_platforms_dates_is_refused(make_send, coordinator, at):
    """Issue 8 (unbounded values): a send scheduled in year 9999 would break every page that
    shows its time (Copenhagen time overflows the calendar)."""
    send = make_send(by=coordinator)
    with pytest.raises(ValidationError) as error:
        send_services.send_schedule(send=send, at=at, by=coordinator)
    assert error.value.error_dict["scheduled_at"][0].code == "out_of_range"
    send.refresh_from_db()
    assert (send.status, send.scheduled_at) == (Send.Status.DRAFT, None)


def test_every_change_is_in_the_audit_log(make_send, coordinator, staff):
    from wagtail.models import ModelLogEntry

    send = make_send(by=coordinator, start=True)
    send_services.send_pause(send=send, by=coordinator)
    send_services.send_resume(send=send, by=coordinator)
    send_services.send_cancel(send=send, by=coordinator)
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(send.pk))
        .order_by("timestamp", "pk")
        .values_list("action", "user")
    )
    assert actions == [
        ("lms.newsletter_send.create", coordinator.pk),
        ("lms.newsletter_send.start", coordinator.pk),
        ("lms.newsletter_send.pause", coordinator.pk),
        ("lms.newsletter_send.resume", coordinator.pk),
        ("lms.newsletter_send.cancel", coordinator.pk),
    ]


def test_a_job_category_filter_of_none_means_every_category(make_send, staff):
    JobCategoryFactory()
    send = make_send(start=True)
    assert Delivery.objects.filter(send=send).count() == 3


def test_a_send_is_created_and_started_as_of_a_past_moment(make_send, coordinator, staff):
    """The demo builds its past editions' sends this way (lms.clock)."""
    created = timezone.now() - dt.timedelta(days=60)
    send = make_send(by=coordinator, now=created)
    assert send.created_at == created
    send.refresh_from_db()
    assert send.created_at == created
    started = created + dt.timedelta(minutes=30)
    send = send_services.send_start(send=send, by=coordinator, now=started)
    assert (send.started_at, send.progress_at) == (started, started)


def test_a_send_cannot_be_created_as_of_the_future(make_send, coordinator, staff):
    with pytest.raises(ValueError):
        make_send(by=coordinator, now=timezone.now() + dt.timedelta(days=1))
    assert not Send.objects.exists()
