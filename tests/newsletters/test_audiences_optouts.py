"""The default audience per Infohus (used when a send names none, and what the admin prefills)
and opt-outs scoped to the Infohus they were given to, with the migration of the old ones."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from lms.people.models import Role
from newsletters.emails.editions import optout_token
from newsletters.models import AudienceDefault, Delivery, OptOut
from newsletters.selectors.audiences import audience_preview, default_audience
from newsletters.services import sends as send_services
from newsletters.services.audiences import audience_default_set
from tests.factories import JobCategoryFactory, PersonFactory, wagtail_roots_ensure

from .conftest import edition_make

pytestmark = pytest.mark.django_db


def emails(send) -> dict[str, tuple[str, str]]:
    return {d.email.lower(): (d.status, d.skip_reason) for d in Delivery.objects.filter(send=send)}


def test_by_default_everyone_in_the_administrations_the_infohus_serves(tree, staff):
    audience = default_audience(tree["HJ"])
    assert (audience.units, audience.job_categories, audience.include_externals) == (
        [tree["HJ"]],
        [],
        False,
    )


def send_with_default(edition, org_unit, by):
    send = send_services.send_create(edition=edition, org_unit=org_unit, by=by)
    return send_services.send_start(send=send, by=by)


def test_a_send_without_an_audience_gets_the_default(edition, coordinator, staff, tree):
    send = send_with_default(edition, tree["HJ"], coordinator)
    assert list(send.audience_units.all()) == [tree["HJ"]]
    assert set(emails(send)) == {"laerer@hj.dk", "paedagog@hj.dk", "kontor@hj.dk"}


def test_the_default_is_configurable_per_infohus(edition, make_send, coordinator, staff, tree):
    teachers = JobCategoryFactory(name="Lærer")
    staff["teacher"].job_category = teachers
    staff["teacher"].save()
    audience_default_set(
        org_unit=tree["HJ"],
        units=[tree["HJ-SKOLE"], tree["HJ-GYM"]],
        job_categories=[teachers],
        include_externals=True,
        by=coordinator,
    )
    audience = default_audience(tree["HJ"])
    assert set(audience.units) == {tree["HJ-SKOLE"], tree["HJ-GYM"]}
    assert audience.job_categories == [teachers] and audience.include_externals
    send = send_with_default(edition, tree["HJ"], coordinator)
    assert set(send.audience_units.all()) == {tree["HJ-SKOLE"], tree["HJ-GYM"]}
    assert send.include_externals and list(send.job_categories.all()) == [teachers]
    assert set(emails(send)) == {"laerer@hj.dk"}
    # Another Infohus keeps the plain default.
    assert default_audience(tree["FR"]).units == [tree["FR"]]
    # What is given explicitly wins over the default.
    send = make_send(units=[tree["HJ-BFU"]], by=coordinator, start=True)
    assert set(emails(send)) == {"laerer@hj.dk", "paedagog@hj.dk", "kontor@hj.dk"}


def test_only_the_infohus_coordinators_set_its_default_and_only_to_their_units(
    make_staff, coordinator, tree
):
    for user in (
        make_staff(Role.STEERING_GROUP, tree["HJ"]),
        make_staff(Role.COORDINATOR, tree["FR"]),
    ):
        with pytest.raises(ValidationError):
            audience_default_set(org_unit=tree["HJ"], units=[tree["HJ-SKOLE"]], by=user)
    with pytest.raises(ValidationError) as error:
        audience_default_set(org_unit=tree["HJ"], units=[tree["FR-SKOLE"]], by=coordinator)
    assert "units" in error.value.message_dict
    assert not AudienceDefault.objects.exists()


def _opt_out_through_the_link(send) -> None:
    delivery = Delivery.objects.get(send=send, email="lektor@gym.dk")
    response = Client().post(
        f"/nyhedsbrev/afmeld/{optout_token(delivery)}/", {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200


def test_an_opt_out_holds_for_the_infohus_it_was_given_to(make_send, staff, tree):
    first = make_send(include_externals=True, start=True)
    _opt_out_through_the_link(first)
    optout = OptOut.objects.get()
    assert (optout.email, optout.org_unit) == ("lektor@gym.dk", tree["HJ"])
    # Hjørring's next newsletter skips the address...
    again = make_send(include_externals=True, start=True)
    assert emails(again)["lektor@gym.dk"] == ("skipped", "opted_out")
    # ...Frederikshavn's still reaches it (the teacher now works at Frederikshavn's gymnasium).
    staff["external"].org_unit = tree["FR-GYM"]
    staff["external"].save()
    other = make_send(units=[tree["FR"]], org_unit=tree["FR"], include_externals=True, start=True)
    assert emails(other)["lektor@gym.dk"] == ("pending", "")
    assert audience_preview(other) == {"": 1}


def test_the_opt_out_page_names_the_infohus_and_one_click_still_works(make_send, staff, tree):
    send = make_send(include_externals=True, start=True)
    delivery = Delivery.objects.get(send=send, email="lektor@gym.dk")
    url = f"/nyhedsbrev/afmeld/{optout_token(delivery)}/"
    client = Client(enforce_csrf_checks=True)
    assert tree["HJ"].name in client.get(url).content.decode()
    # RFC 8058: the mail client posts without a session or CSRF token.
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert OptOut.objects.filter(org_unit=tree["HJ"]).count() == 1


def test_an_opt_out_without_an_infohus_holds_everywhere(make_send, staff, tree):
    OptOut.objects.create(email="lektor@gym.dk")
    send = make_send(include_externals=True, start=True)
    assert emails(send)["lektor@gym.dk"] == ("skipped", "opted_out")
    # Clicking a link again adds no second, narrower opt-out.
    _opt_out_through_the_link(send)
    assert OptOut.objects.count() == 1


def test_another_infohus_opt_out_does_not_skip(make_send, staff, tree):
    OptOut.objects.create(email="lektor@gym.dk", org_unit=tree["FR"])
    send = make_send(include_externals=True, start=True)
    assert emails(send)["lektor@gym.dk"] == ("pending", "")


@pytest.mark.django_db(transaction=True)
def test_the_migration_scopes_existing_opt_outs_to_their_sends_infohus(tree):
    # An earlier transactional test's flush took Wagtail's root page with it.
    wagtail_roots_ensure()
    edition = edition_make()
    person = PersonFactory(org_unit=tree["HJ-GYM"], email="lektor@gym.dk")
    executor = MigrationExecutor(connection)
    before, after = (
        [("newsletters", "0004_default_audience")],
        [("newsletters", "0005_optout_scope")],
    )
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Send = old.get_model("newsletters", "Send")
        OldOptOut = old.get_model("newsletters", "OptOut")
        send = Send.objects.create(edition_id=edition.pk, org_unit_id=tree["FR"].pk)
        OldOptOut.objects.create(email="lektor@gym.dk", person_id=person.pk, send_id=send.pk)
        OldOptOut.objects.create(email="gammel@example.dk")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    scoped = {o.email: o.org_unit_id for o in OptOut.objects.all()}
    assert scoped == {"lektor@gym.dk": tree["FR"].pk, "gammel@example.dk": None}
