"""What a booked colleague's mail says: who booked the seat, and the booking code that QR
check-in without an account asks for (in the text, the HTML and the calendar invitation)."""

from __future__ import annotations

import pytest
from django.core import mail
from icalendar import Calendar

from attendance import services
from attendance.models import Registration
from lms.people.models import Role

R = Registration.Status


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def ics_description(message) -> str:
    for part in message.message().walk():
        if part.get_content_type() == "text/calendar":
            [event] = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
            return str(event["DESCRIPTION"])
    raise AssertionError("no calendar part")


def test_the_booking_code_is_in_the_confirmation_mail(tree, make_meeting, make_employee, on_commit):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"], name="Anna Andersen")
    with on_commit():
        registration = services.registration_create(meeting=meeting, person=person, by=person.user)
    code = registration.booking_code
    assert len(code) == 6 and code.isalnum() and code == code.upper()
    [message] = mail.outbox
    assert f"Tilmeldingskode til at tjekke ind: {code}" in message.body
    [(html, _)] = message.alternatives
    assert "Tilmeldingskode til at tjekke ind" in html and code in html
    assert f"Tilmeldingskode til at tjekke ind: {code}" in ics_description(message)
    # Signed up themselves: nobody else is named.
    assert "Du er tilmeldt mødet nedenfor." in message.body
    assert "har tilmeldt dig" not in message.body


def test_codes_are_unambiguous_and_differ_within_a_meeting(tree, make_meeting, person_factory):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=40)
    people = [person_factory(org_unit=tree["HJ-SKOLE"]) for _ in range(30)]
    codes = [
        services.registration_create(meeting=meeting, person=p, by=None).booking_code
        for p in people
    ]
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 6
        assert not set(code) & set("01258BILOSZ")


def test_the_booked_colleague_is_told_who_booked_the_seat(
    tree, make_meeting, make_staff, person_factory, on_commit
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=1)
    booker = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    person_factory(org_unit=tree["HJ-GYM"], name="Birthe Booker", email=booker.email, user=booker)
    colleagues = [person_factory(org_unit=tree["HJ-GYM"], name=f"Kollega {n}") for n in (1, 2)]
    with on_commit():
        result = services.seats_book(meeting=meeting, people=colleagues, by=booker)
    confirmed, waiting = sorted(mail.outbox, key=lambda m: m.subject)[::-1]
    assert confirmed.subject.startswith("Tilmelding bekræftet")
    assert "Birthe Booker har tilmeldt dig mødet nedenfor." in confirmed.body
    [(html, _)] = confirmed.alternatives
    assert "Birthe Booker har tilmeldt dig mødet nedenfor." in html
    code = result.confirmed[0].registration.booking_code
    assert code in confirmed.body
    assert "Birthe Booker har tilmeldt dig mødet nedenfor." in waiting.body
    assert "venteliste" in waiting.body


def test_a_booker_without_a_roster_entry_is_named_by_account(
    tree, make_meeting, make_staff, person_factory, on_commit
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"])
    booker = make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    booker.first_name, booker.last_name = "Karin", "Koordinator"
    booker.save()
    colleague = person_factory(org_unit=tree["HJ-GYM"])
    with on_commit():
        services.seats_book(meeting=meeting, people=[colleague], by=booker)
    [message] = mail.outbox
    assert "Karin Koordinator har tilmeldt dig mødet nedenfor." in message.body


def test_the_cancellation_mail_carries_no_code(tree, make_meeting, make_employee, on_commit):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"])
    registration = services.registration_create(meeting=meeting, person=person, by=person.user)
    with on_commit():
        services.registration_cancel(registration=registration, by=person.user)
    [message] = mail.outbox
    assert registration.booking_code not in message.body
    assert "Tilmeldingskode" not in message.body


def test_the_migration_gives_existing_registrations_codes(tree, make_meeting, person_factory):
    """Registrations made before the booking code existed get one each, unique per meeting."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("attendance.migrations.0005_registration_booking_code")
    meetings = [make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=30) for _ in range(2)]
    people = [person_factory(org_unit=tree["HJ-SKOLE"]) for _ in range(20)]
    for meeting in meetings:
        for person in people:
            services.registration_create(meeting=meeting, person=person, by=None)
    # Before the migration the column is empty; the unique constraint (which comes after the
    # fill in the migration) is there already, so stand in with a placeholder per row.
    for pk in Registration.objects.values_list("pk", flat=True):
        Registration.objects.filter(pk=pk).update(booking_code=f"#{pk}")
    migration.codes_fill(apps, None)
    for meeting in meetings:
        codes = list(meeting.registrations.values_list("booking_code", flat=True))
        assert len(codes) == 20 and len(set(codes)) == 20
        assert all(len(c) == 6 and not set(c) & set("01258BILOSZ") for c in codes)
