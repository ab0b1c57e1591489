"""The booking page with many colleagues: a search, one table per unit with a "choose everyone
in the unit" button that works without JavaScript, and each colleague told apart by job
category and employee number; cancelling a seat asks first."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from attendance import services
from attendance.models import Registration
from lms.people.models import Role
from tests.factories import JobCategoryFactory

R = Registration.Status


def booking_url(meeting):
    return reverse("attendance:booking", args=(meeting.pk,))


def cancel_url(meeting, registration):
    return reverse("attendance:booking_seat_cancel", args=(meeting.pk, registration.pk))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def checked_ids(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'name="people" value="(\d+)"[^>]*checked', html)}


@pytest.fixture
def coordinator(tree, make_staff, mfa, client):
    user = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    client.force_login(user)
    return user


@pytest.fixture
def setting(tree, make_meeting, person_factory):
    teacher = JobCategoryFactory(code="LAERER", name="Lærer")
    pedagogue = JobCategoryFactory(code="PAED", name="Pædagog")
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=50)
    school = [
        person_factory(
            org_unit=tree["HJ-SKOLE"],
            name="Anna Jensen",
            job_category=teacher,
            employee_number="1001",
        ),
        person_factory(org_unit=tree["HJ-SKOLE"], name="Bo Berg", job_category=teacher),
        person_factory(org_unit=tree["HJ-SKOLE"], name="Carl Clausen", job_category=pedagogue),
    ]
    gym = [
        person_factory(
            org_unit=tree["HJ-GYM"],
            name="Anna Jensen",
            job_category=pedagogue,
            employee_number="2002",
        ),
        person_factory(org_unit=tree["HJ-GYM"], name="Dorte Dahl", job_category=teacher),
    ]
    return {"meeting": meeting, "school": school, "gym": gym}


def test_colleagues_are_grouped_by_unit_and_told_apart(client, coordinator, setting):
    response = client.get(booking_url(setting["meeting"]))
    assert response.status_code == 200
    html = response.content.decode()
    groups = response.context["groups"]
    assert [g.unit.name for g in groups] == ["HJ Gymnasium", "HJ Skole"]
    assert [p.name for p in groups[1].people] == ["Anna Jensen", "Bo Berg", "Carl Clausen"]
    # One table per unit, its caption the unit; job category and employee number beside the name.
    assert html.count('<table class="booking-staff">') == 2
    assert "<caption>HJ Skole" in html and "<caption>HJ Gymnasium" in html
    for person, job, number in (
        (setting["school"][0], "Lærer", "1001"),
        (setting["gym"][0], "Pædagog", "2002"),
    ):
        assert f'<td id="person-{person.pk}-job">{job}</td>' in html
        assert f'id="person-{person.pk}-number"' in html and number in html
        # A screen reader hears them with the name of the checkbox.
        assert f'aria-describedby="person-{person.pk}-job person-{person.pk}-number"' in html
    assert '<th scope="col">Medarbejdernr.</th>' in html


def test_search_by_name_number_unit_or_job(client, coordinator, setting):
    url = booking_url(setting["meeting"])
    for query, names in (
        ("anna", ["Anna Jensen", "Anna Jensen"]),
        ("2002", ["Anna Jensen"]),
        ("gymnasium", ["Anna Jensen", "Dorte Dahl"]),
        ("pædagog skole", ["Carl Clausen"]),
        ("ingen-sådan", []),
    ):
        response = client.get(url, {"q": query})
        assert [p.name for p in response.context["staff"]] == names, query
        html = response.content.decode()
        assert f'value="{query}"' in html
        if names:
            assert f"matcher “{query}”" in html
            # Booking keeps the search.
            assert f'action="{url}?q=' in html
        else:
            assert "Ingen matcher søgningen." in html


def test_choose_everyone_in_a_unit_without_javascript(client, coordinator, setting):
    meeting = setting["meeting"]
    school, gym = setting["school"], setting["gym"]
    html = client.get(booking_url(meeting)).content.decode()
    assert "Vælg alle i HJ Skole" in html and "Vælg alle i HJ Gymnasium" in html
    assert 'src="/static/attendance/booking.js"' in html and "<script>" not in html
    unit = school[0].org_unit_id
    # A colleague of the other unit chosen first stays chosen; nothing is booked yet.
    response = client.post(booking_url(meeting), {"people": [gym[1].pk], "select_unit": unit})
    assert response.status_code == 200
    html = response.content.decode()
    assert checked_ids(html) == {p.pk for p in school} | {gym[1].pk}
    assert "Fravælg alle i HJ Skole" in html
    assert not Registration.objects.exists()
    response = client.post(
        booking_url(meeting),
        {"people": [p.pk for p in school] + [gym[1].pk], "unselect_unit": unit},
    )
    assert checked_ids(response.content.decode()) == {gym[1].pk}
    assert not Registration.objects.exists()


def test_cancelling_a_seat_asks_first(
    client, coordinator, setting, django_capture_on_commit_callbacks
):
    meeting = setting["meeting"]
    anna = setting["gym"][0]
    [booking] = services.seats_book(meeting=meeting, people=[anna], by=coordinator).bookings
    seat = booking.registration
    url = cancel_url(meeting, seat)
    # The booking page links to the confirmation page; it does not cancel.
    html = client.get(booking_url(meeting)).content.decode()
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er du sikker på, at du vil afmelde Anna Jensen fra dette møde?" in html
    assert meeting.title in html
    assert "HJ Gymnasium, Pædagog" in html and "2002" in html
    assert 'name="confirm" value="1"' in html
    assert f'href="{booking_url(meeting)}"' in html  # the way back
    # A plain POST (an old page, another form) lands on the confirmation page too.
    response = client.post(url)
    assert response.status_code == 200
    assert "Er du sikker" in response.content.decode()
    assert Registration.objects.get(pk=seat.pk).status == R.CONFIRMED
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"confirm": "1"}, follow=True)
    assert messages_of(response) == ["Anna Jensen er afmeldt."]
    assert Registration.objects.get(pk=seat.pk).status == R.CANCELLED
    assert mail.outbox[-1].subject.startswith("Afmelding bekræftet")


def test_the_confirmation_page_refuses_strangers(client, tree, make_staff, mfa, setting):
    meeting = setting["meeting"]
    seat = services.registration_create(meeting=meeting, person=setting["gym"][0], by=None)
    client.force_login(mfa(make_staff(Role.INSTITUTION_COORDINATOR, tree["FR-GYM"])))
    assert client.get(cancel_url(meeting, seat)).status_code == 404
    assert client.post(cancel_url(meeting, seat), {"confirm": "1"}).status_code == 404
    assert Registration.objects.get(pk=seat.pk).status == R.CONFIRMED
