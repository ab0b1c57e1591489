"""Cancelling one's own registration asks first: the meeting page links to a confirmation page
("Er du sikker?"), and only that page's form (confirm=1) cancels; a plain POST to the cancel
address, as older pages and other forms send, lands on the confirmation page too."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from attendance import services
from attendance.models import Registration

R = Registration.Status


def cancel_url(meeting):
    return reverse("attendance:registration_cancel", args=(meeting.pk,))


def detail_url(meeting):
    return reverse("attendance:meeting_detail", args=(meeting.pk,))


def test_cancelling_asks_first(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], title="Dialogmøde")
    person = make_employee(tree["HJ-SKOLE"], name="Anna Andersen")
    registration = services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(person.user)
    page = client.get(detail_url(meeting)).content.decode()
    assert f'href="{cancel_url(meeting)}">Afmeld mig</a>' in page
    # The booking code for checking in without an account is on the person's own page too.
    code = registration.booking_code
    assert f'tjekke ind: <strong class="booking-code">{code}</strong>' in page
    for response in (client.get(cancel_url(meeting)), client.post(cancel_url(meeting))):
        assert response.status_code == 200
        html = response.content.decode()
        assert "Er du sikker på, at du vil afmelde dig dette møde?" in html
        assert "Dialogmøde" in html and "Anna Andersen" in html
        assert 'name="confirm" value="1"' in html
        assert "Ja, afmeld mig" in html
        assert f'href="{detail_url(meeting)}">Nej, gå tilbage</a>' in html
    assert Registration.objects.get(pk=registration.pk).status == R.CONFIRMED
    # Anything but confirm=1 is not a confirmation.
    client.post(cancel_url(meeting), {"confirm": "yes"})
    assert Registration.objects.get(pk=registration.pk).status == R.CONFIRMED
    response = client.post(cancel_url(meeting), {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(meeting)
    assert Registration.objects.get(pk=registration.pk).status == R.CANCELLED


def test_back_to_where_the_person_came_from(client, tree, make_meeting, make_employee):
    """ "Min side" links to the confirmation page with ?next=: back there, after cancelling or
    not, but never to another site."""
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"])
    services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(person.user)
    html = client.get(cancel_url(meeting), {"next": "/min-side/"}).content.decode()
    assert 'href="/min-side/">Nej, gå tilbage</a>' in html
    assert 'name="next" value="/min-side/"' in html
    html = client.get(cancel_url(meeting), {"next": "https://evil.example/"}).content.decode()
    assert 'href="https://evil.example/"' not in html
    assert 'value="https://evil.example/"' not in html
    response = client.post(cancel_url(meeting), {"confirm": "1", "next": "/min-side/"})
    assert response["Location"] == "/min-side/"


def test_after_the_cut_off_the_page_says_so(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(hours=5))
    person = make_employee(tree["HJ-SKOLE"])
    services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(person.user)
    html = client.get(cancel_url(meeting)).content.decode()
    assert "Afmeldingsfristen er overskredet." in html
    assert 'name="confirm"' not in html


def test_someone_not_signed_up_is_sent_back(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"])
    client.force_login(person.user)
    response = client.get(cancel_url(meeting))
    assert response.status_code == 302 and response["Location"] == detail_url(meeting)
