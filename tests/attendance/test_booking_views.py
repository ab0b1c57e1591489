"""The booking page (attendance.views.bookings): what a booker sees and does, and who is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, Registration
from lms.people.middleware import NEXT_SESSION_KEY
from lms.people.models import Person, Role
from lms.people.services import person_mark_left
from tests.factories import JobCategoryFactory

R = Registration.Status
TITLE = "Informationsmøde om bekymringstegn"


def booking_url(meeting):
    return reverse("attendance:booking", args=(meeting.pk,))


def new_url(meeting):
    return reverse("attendance:booking_colleague_create", args=(meeting.pk,))


def cancel_url(meeting, registration):
    return reverse("attendance:booking_seat_cancel", args=(meeting.pk, registration.pk))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def gym_meeting(tree, make_meeting):
    return make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=10, title=TITLE)


@pytest.fixture
def booker(tree, make_staff, mfa):
    return mfa(make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]))


@pytest.fixture
def staff(tree, person_factory):
    return [person_factory(org_unit=tree["HJ-GYM"], name=f"Kollega {n}") for n in range(5)]


@pytest.fixture
def as_booker(client, booker):
    client.force_login(booker)
    return client


def test_urls():
    assert booking_url(Meeting(pk=3)) == "/moeder/3/tilmeld-medarbejdere/"
    assert new_url(Meeting(pk=3)) == "/moeder/3/tilmeld-medarbejdere/ny-kollega/"
    assert (
        cancel_url(Meeting(pk=3), Registration(pk=7)) == "/moeder/3/tilmeld-medarbejdere/7/afmeld/"
    )


def test_the_page_shows_the_meeting_and_the_staff_with_their_status(
    as_booker, tree, make_meeting, staff, person_factory, make_employee
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=1, title=TITLE)
    services.registration_create(meeting=meeting, person=staff[0], by=None)
    services.registration_create(meeting=meeting, person=staff[1], by=None)
    person_factory(org_unit=tree["FR-GYM"], name="Fremmed Frida")
    person_factory(org_unit=tree["HJ-SKOLE"], name="Skolelærer Søren")
    gone = person_factory(org_unit=tree["HJ-GYM"], name="Fratrådt Frede")
    person_mark_left(person=gone, left_on=timezone.localdate(), by=None)
    response = as_booker.get(booking_url(meeting))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Tilmeld medarbejdere</h1>" in html
    assert TITLE in html
    assert "0 af 1 pladser ledige" in html
    assert "Mødet er fuldt. De kolleger, du tilmelder, kommer på venteliste" in html
    rows = {row.name: row for row in response.context["staff"]}
    assert set(rows) == {p.name for p in staff}
    assert rows["Kollega 0"].registration_status == R.CONFIRMED
    assert rows["Kollega 1"].waiting_position == 1
    assert "På venteliste som nr. 1" in html
    assert html.count("Ikke tilmeldt") == 3
    # Only those not signed up have a checkbox; each has a label.
    for person in staff[2:]:
        assert f'<label for="person-{person.pk}">{person.name}</label>' in html
    assert f'id="person-{staff[0].pk}"' not in html
    assert 'aria-label="Afmeld Kollega 0"' in html
    for hidden in ("Fremmed Frida", "Skolelærer Søren", "Fratrådt Frede"):
        assert hidden not in html
    # A new colleague is added to the booker's only unit, without asking.
    assert "Vedkommende tilføjes til medarbejderne i HJ Gymnasium." in html
    assert 'name="org_unit"' not in html


def test_booking_colleagues(as_booker, gym_meeting, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_booker.post(
            booking_url(gym_meeting), {"people": [staff[0].pk, staff[1].pk]}, follow=True
        )
    assert response.redirect_chain[-1][0] == booking_url(gym_meeting)
    assert messages_of(response) == ["2 kolleger har fået plads. Hver af dem får en e-mail om det."]
    assert "8 af 10 pladser ledige" in response.content.decode()
    assert {r.person for r in Registration.objects.filter(status=R.CONFIRMED)} == set(staff[:2])
    assert len(mail.outbox) == 2


def test_five_into_three_free_seats(
    as_booker, tree, make_meeting, staff, django_capture_on_commit_callbacks
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_booker.post(
            booking_url(meeting), {"people": [p.pk for p in staff]}, follow=True
        )
    assert messages_of(response) == [
        "3 kolleger har fået plads. 2 kolleger er på venteliste, fordi mødet er fuldt. "
        "Hver af dem får en e-mail om det."
    ]
    html = response.content.decode()
    assert "På venteliste som nr. 1" in html and "På venteliste som nr. 2" in html
    assert Registration.objects.filter(meeting=meeting, status=R.CONFIRMED).count() == 3
    assert Registration.objects.filter(meeting=meeting, status=R.WAITING).count() == 2
    subjects = sorted(m.subject.split(":")[0] for m in mail.outbox)
    assert subjects == ["Du er på ventelisten"] * 2 + ["Tilmelding bekræftet"] * 3


def post_refused(client, meeting, data, *, url=None):
    response = client.post(url or booking_url(meeting), data)
    assert response.status_code == 400
    assert not Registration.objects.filter(meeting=meeting).exists()
    return response.content.decode()


def test_nobody_chosen(as_booker, gym_meeting, staff):
    html = post_refused(as_booker, gym_meeting, {})
    assert "Vælg mindst én person at tilmelde." in html
    assert 'role="alert"' in html


def test_someone_of_another_institution_is_refused_without_a_name(
    as_booker, gym_meeting, staff, tree, person_factory
):
    stranger = person_factory(org_unit=tree["FR-GYM"], name="Fremmed Frida")
    html = post_refused(as_booker, gym_meeting, {"people": [staff[0].pk, stranger.pk]})
    assert "En af dem, du valgte, kan ikke tilmeldes her." in html
    assert "Fremmed Frida" not in html


def test_a_colleague_who_left_meanwhile_is_named(as_booker, gym_meeting, staff):
    person_mark_left(person=staff[1], left_on=timezone.localdate(), by=None)
    html = post_refused(as_booker, gym_meeting, {"people": [staff[0].pk, staff[1].pk]})
    assert "Ikke længere aktive og kan derfor ikke tilmeldes: Kollega 1." in html
    # The choice is kept for the next try.
    assert f'value="{staff[0].pk}" id="person-{staff[0].pk}" aria-describedby=' in html
    assert f'person-{staff[0].pk}-number" checked' in html


def test_a_colleague_outside_the_audience_is_named(as_booker, tree, make_meeting, person_factory):
    teachers = JobCategoryFactory(code="LAERER", name="Lærer")
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], job_categories=[teachers])
    teacher = person_factory(org_unit=tree["HJ-GYM"], job_category=teachers)
    cook = person_factory(org_unit=tree["HJ-GYM"], name="Kok Karen")
    html = post_refused(as_booker, meeting, {"people": [teacher.pk, cook.pk]})
    assert "dine egne medarbejdere i mødets målgruppe): Kok Karen." in html
    assert f'<label for="person-{teacher.pk}">' in html
    assert f'id="person-{cook.pk}"' not in html  # not offered in the first place


# --- A new colleague ------------------------------------------------------------------------------


def test_adding_a_new_colleague(as_booker, gym_meeting, tree, django_capture_on_commit_callbacks):
    category = JobCategoryFactory(code="PAED", name="Pædagog")
    html = as_booker.get(booking_url(gym_meeting)).content.decode()
    assert f'<option value="{category.pk}">Pædagog</option>' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = as_booker.post(
            new_url(gym_meeting),
            {"name": "Nina Ny", "email": "nina.ny@example.dk", "job_category": category.pk},
            follow=True,
        )
    assert messages_of(response) == ["Nina Ny er tilføjet til dine medarbejdere og har fået plads."]
    person = Person.objects.get(email="nina.ny@example.dk")
    assert person.org_unit == tree["HJ-GYM"]
    assert Registration.objects.get(meeting=gym_meeting).person == person
    assert [m.to for m in mail.outbox] == [["nina.ny@example.dk"]]
    rows = {row.name: row for row in response.context["staff"]}
    assert rows["Nina Ny"].registration_status == R.CONFIRMED


def test_a_new_colleague_with_errors(as_booker, gym_meeting, staff):
    category = staff[0].job_category
    people = Person.objects.count()
    html = post_refused(
        as_booker,
        gym_meeting,
        {"name": "", "email": staff[0].email, "job_category": category.pk},
        url=new_url(gym_meeting),
    )
    assert "Skriv kollegaens navn." in html
    assert 'aria-describedby="id_name-error"' in html and 'id="id_name-error"' in html
    html = post_refused(
        as_booker,
        gym_meeting,
        {"name": "Kopi", "email": staff[0].email, "job_category": category.pk},
        url=new_url(gym_meeting),
    )
    assert "Kollega 0 har allerede denne e-mailadresse i medarbejderlisten" in html
    assert 'aria-invalid="true"' in html
    html = post_refused(
        as_booker,
        gym_meeting,
        {"name": "Nina", "email": "ikke-en-adresse", "job_category": category.pk},
        url=new_url(gym_meeting),
    )
    assert "Indtast en gyldig e-mail-adresse." in html
    assert Person.objects.count() == people


def test_a_coordinator_chooses_where_the_new_colleague_works(
    client, tree, make_meeting, make_staff, mfa
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    coordinator = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    client.force_login(coordinator)
    html = client.get(booking_url(meeting)).content.decode()
    assert '<label for="id_org_unit">Arbejder i</label>' in html
    assert "HJ Skole" in html
    category = JobCategoryFactory()
    data = {"name": "Nina Ny", "email": "nina.ny@example.dk", "job_category": category.pk}
    html = post_refused(client, meeting, data, url=new_url(meeting))
    assert "Vælg, hvor kollegaen arbejder." in html
    html = post_refused(
        client, meeting, {**data, "org_unit": tree["FR-GYM"].pk}, url=new_url(meeting)
    )
    assert "Vælg en af dine egne enheder, hvis medarbejdere mødet er for." in html
    response = client.post(new_url(meeting), {**data, "org_unit": tree["HJ-SKOLE"].pk})
    assert response.status_code == 302
    assert Person.objects.get(email="nina.ny@example.dk").org_unit == tree["HJ-SKOLE"]


# --- Cancelling -----------------------------------------------------------------------------------


def test_cancelling_a_colleagues_seat(as_booker, booker, tree, make_meeting, staff):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=1)
    result = services.seats_book(meeting=meeting, people=staff[:2], by=booker)
    seat = result.confirmed[0].registration
    response = as_booker.post(cancel_url(meeting, seat), {"confirm": "1"}, follow=True)
    assert messages_of(response) == ["Kollega 0 er afmeldt."]
    assert Registration.objects.get(pk=seat.pk).status == R.CANCELLED
    assert Registration.objects.get(meeting=meeting, person=staff[1]).status == R.CONFIRMED
    rows = {row.name: row for row in response.context["staff"]}
    assert rows["Kollega 0"].registration_status is None
    assert rows["Kollega 1"].registration_status == R.CONFIRMED


def test_no_cancelling_after_the_cut_off(as_booker, booker, gym_meeting, staff):
    [booking] = services.seats_book(meeting=gym_meeting, people=staff[:1], by=booker).bookings
    Meeting.objects.filter(pk=gym_meeting.pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=2),
        ends_at=timezone.now() + dt.timedelta(hours=4),
    )
    html = as_booker.get(booking_url(gym_meeting)).content.decode()
    assert "Afmeldingsfristen er overskredet." in html
    assert 'aria-label="Afmeld Kollega 0"' not in html
    response = as_booker.post(
        cancel_url(gym_meeting, booking.registration), {"confirm": "1"}, follow=True
    )
    assert messages_of(response) == ["Afmeldingsfristen er overskredet."]
    assert Registration.objects.get(pk=booking.registration.pk).status == R.CONFIRMED


def test_the_seat_of_someone_of_another_institution_is_not_found(
    as_booker, gym_meeting, make_employee, tree
):
    outsider = make_employee(tree["HJ-SKOLE"])
    registration = services.registration_create(meeting=gym_meeting, person=outsider, by=None)
    for data in ({}, {"confirm": "1"}):
        assert as_booker.post(cancel_url(gym_meeting, registration), data).status_code == 404
    assert as_booker.get(cancel_url(gym_meeting, registration)).status_code == 404
    assert Registration.objects.get(pk=registration.pk).status == R.CONFIRMED


# --- Who may use the page -------------------------------------------------------------------------


@pytest.fixture
def users(tree, make_staff, make_employee, mfa):
    def staff_user(role, unit):
        return mfa(make_staff(role, unit))

    return {
        "employee": lambda: make_employee(tree["HJ-GYM"]).user,
        "department_contact": lambda: staff_user(Role.DEPARTMENT_CONTACT, tree["HJ"]),
        "other_institution_coordinator": lambda: staff_user(
            Role.INSTITUTION_COORDINATOR, tree["FR-GYM"]
        ),
        "other_coordinator": lambda: staff_user(Role.COORDINATOR, tree["FR"]),
        "institution_coordinator": lambda: staff_user(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]),
        "coordinator": lambda: staff_user(Role.COORDINATOR, tree["HJ"]),
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("employee", 403),  # sees the meeting (its audience), may not book
        ("department_contact", 403),  # sees it (their municipality's), may not book
        ("other_institution_coordinator", 404),
        ("other_coordinator", 404),
        ("institution_coordinator", 200),
        ("coordinator", 200),
    ],
)
def test_access(client, users, gym_meeting, staff, who, status):
    user = users[who]()
    client.force_login(user)
    assert client.get(booking_url(gym_meeting)).status_code == status
    detail = client.get(reverse("attendance:meeting_detail", args=(gym_meeting.pk,)))
    assert ("Tilmeld medarbejdere" in detail.content.decode()) is (status == 200)
    if status != 200:
        category = staff[0].job_category
        for url, data in (
            (booking_url(gym_meeting), {"people": [staff[0].pk]}),
            (
                new_url(gym_meeting),
                {"name": "N", "email": "n@example.dk", "job_category": category.pk},
            ),
        ):
            assert client.post(url, data).status_code == status
        registration = services.registration_create(meeting=gym_meeting, person=staff[1], by=None)
        url = cancel_url(gym_meeting, registration)
        assert client.post(url, {"confirm": "1"}).status_code == status
        assert client.get(url).status_code == status
        assert Registration.objects.get(pk=registration.pk).status == R.CONFIRMED
        assert Registration.objects.filter(meeting=gym_meeting).count() == 1
        assert not Person.objects.filter(email="n@example.dk").exists()


def test_anonymous_is_sent_to_login(client, gym_meeting, staff):
    for response in (
        client.get(booking_url(gym_meeting)),
        client.post(booking_url(gym_meeting), {"people": [staff[0].pk]}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    assert not Registration.objects.exists()


def test_a_booker_without_two_factor_authentication_sets_it_up_first(
    client, tree, make_staff, gym_meeting, staff
):
    client.force_login(make_staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"]))
    response = client.get(booking_url(gym_meeting))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.session[NEXT_SESSION_KEY] == booking_url(gym_meeting)
    response = client.post(booking_url(gym_meeting), {"people": [staff[0].pk]})
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not Registration.objects.exists()


def test_a_meeting_no_longer_open_sends_the_booker_back_to_it(as_booker, gym_meeting, staff):
    Meeting.objects.filter(pk=gym_meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    response = as_booker.get(booking_url(gym_meeting), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "attendance:meeting_detail", args=(gym_meeting.pk,)
    )
    assert "Der er ikke åbent for tilmelding til dette møde." in messages_of(response)
    assert as_booker.post(booking_url(gym_meeting), {"people": [staff[0].pk]}).status_code == 302
    assert not Registration.objects.exists()


# --- Query counts ---------------------------------------------------------------------------------


# 11 of ours (session, user with their person, roles, meeting, may book, TOTP, units, staff,
# waiting list, job categories twice when the meeting names none); the base template's site
# settings come from the site cache (lms.site.selectors.site), which took 5 more before; 12 until
# the roster entry came with the user (policy.users_for_request).
QUERIES = 11


@pytest.mark.parametrize("colleagues", [5, 50])
def test_page_query_count_is_constant(
    as_booker, tree, make_meeting, person_factory, assert_queries, colleagues
):
    meeting = make_meeting(tree["HJ"], institution=tree["HJ-GYM"], capacity=colleagues // 2)
    people = [person_factory(org_unit=tree["HJ-GYM"]) for _ in range(colleagues)]
    for person in people[: colleagues - 2]:  # half confirmed, the rest waiting, two not signed up
        services.registration_create(meeting=meeting, person=person, by=None)
    response = assert_queries(QUERIES, lambda: as_booker.get(booking_url(meeting)))
    assert len(response.context["staff"]) == colleagues
