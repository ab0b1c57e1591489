import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, Registration
from lms.people.models import Role
from tests.factories import JobCategoryFactory

R = Registration.Status


def detail_url(meeting):
    return reverse("attendance:meeting_detail", args=(meeting.pk,))


def sign_up_url(meeting):
    return reverse("attendance:registration_create", args=(meeting.pk,))


def cancel_url(meeting):
    return reverse("attendance:registration_cancel", args=(meeting.pk,))


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_urls_are_the_same_in_every_language():
    assert reverse("attendance:meeting_list") == "/moeder/"
    assert sign_up_url(Meeting(pk=3)) == "/moeder/3/tilmeld/"


def test_list_shows_own_meetings_with_seats_and_status(client, tree, make_meeting, make_employee):
    mine = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], capacity=3, title="Mit møde")
    make_meeting(tree["FR"], audience=[tree["FR"]], title="Frederikshavns møde")
    make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], title="Kladde", publish=False)
    cancelled = make_meeting(tree["HJ"], audience=[tree["HJ"]], title="Aflyst møde")
    services.meeting_cancel(meeting=cancelled, reason="Sygdom", by=None)
    person = make_employee(tree["HJ-SKOLE"])
    services.registration_create(meeting=mine, person=person, by=person.user)
    client.force_login(person.user)
    response = client.get(reverse("attendance:meeting_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mit møde" in html
    assert "2 ledige pladser" in html
    assert "Du er tilmeldt" in html
    for hidden in ("Frederikshavns møde", "Kladde", "Aflyst møde"):
        assert hidden not in html
    assert 'href="/moeder/"' in html  # the header link


def test_sign_up_and_cancel_through_the_pages(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    first, second = make_employee(tree["HJ-SKOLE"]), make_employee(tree["HJ-SKOLE"])
    client.force_login(first.user)
    response = client.get(detail_url(meeting))
    assert "Tilmeld" in response.content.decode()
    response = client.post(sign_up_url(meeting), follow=True)
    assert "Du er tilmeldt." in messages_of(response)
    # Signing up twice: no error, the same registration.
    response = client.post(sign_up_url(meeting), follow=True)
    assert "Du er allerede tilmeldt." in messages_of(response)
    assert Registration.objects.filter(meeting=meeting).count() == 1

    client.force_login(second.user)
    response = client.post(sign_up_url(meeting), follow=True)
    assert "Mødet er fuldt. Du er på venteliste som nr. 1." in messages_of(response)
    assert "Du er på venteliste som nr. 1." in response.content.decode()

    client.force_login(first.user)
    response = client.post(cancel_url(meeting), {"confirm": "1"}, follow=True)
    assert "Din tilmelding er afmeldt." in messages_of(response)
    assert Registration.objects.get(meeting=meeting, person=second).status == R.CONFIRMED


def test_waiting_list_number_on_the_page(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(4)]
    for person in people:
        services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(people[3].user)
    assert "Du er på venteliste som nr. 3." in client.get(detail_url(meeting)).content.decode()


def test_cancel_after_cutoff_is_refused(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], starts_in=dt.timedelta(hours=5))
    person = make_employee(tree["HJ-SKOLE"])
    services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(person.user)
    page = client.get(detail_url(meeting)).content.decode()
    assert "Afmeldingsfristen er overskredet." in page
    assert cancel_url(meeting) not in page
    response = client.post(cancel_url(meeting), {"confirm": "1"}, follow=True)
    assert "Afmeldingsfristen er overskredet." in messages_of(response)
    assert Registration.objects.get(meeting=meeting).status == R.CONFIRMED


def test_cancelled_meeting_page_refuses_sign_up(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    services.meeting_cancel(meeting=meeting, reason="Underviseren er syg", by=None)
    person = make_employee(tree["HJ-SKOLE"])
    client.force_login(person.user)
    # A cancelled meeting stays visible to its audience (with the reason), without a button.
    page = client.get(detail_url(meeting)).content.decode()
    assert "Underviseren er syg" in page
    assert sign_up_url(meeting) not in page
    response = client.post(sign_up_url(meeting), follow=True)
    assert "Mødet er aflyst." in messages_of(response)
    assert not Registration.objects.exists()


def test_get_on_post_endpoints_not_allowed(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    client.force_login(make_employee(tree["HJ-SKOLE"]).user)
    assert client.get(sign_up_url(meeting)).status_code == 405
    assert not Registration.objects.exists()


def test_csrf_is_required(tree, make_meeting, make_employee):
    from django.test import Client

    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_employee(tree["HJ-SKOLE"]).user)
    assert client.post(sign_up_url(meeting)).status_code == 403
    assert not Registration.objects.exists()


# --- Access matrix -------------------------------------------------------------------------------


@pytest.fixture
def matrix(tree, make_meeting, make_employee, make_staff):
    teachers = JobCategoryFactory(code="teacher")
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], job_categories=[teachers])
    draft = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], publish=False)
    return {
        "meeting": meeting,
        "draft": draft,
        "insider": make_employee(tree["HJ-SKOLE"], job_category=teachers).user,
        "wrong_job": make_employee(tree["HJ-SKOLE"], job_category=JobCategoryFactory()).user,
        "outside_unit": make_employee(tree["HJ-GYM"], job_category=teachers).user,
        "other_municipality": make_employee(tree["FR-SKOLE"], job_category=teachers).user,
        "coordinator": make_staff(Role.COORDINATOR, tree["HJ"]),
        "other_coordinator": make_staff(Role.COORDINATOR, tree["FR"]),
        "department_contact": make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
        "other_institution_coordinator": make_staff(Role.INSTITUTION_COORDINATOR, tree["FR-GYM"]),
    }


@pytest.mark.parametrize(
    ("who", "sees_meeting", "sees_draft"),
    [
        ("insider", True, False),
        ("wrong_job", False, False),
        ("outside_unit", False, False),
        ("other_municipality", False, False),
        ("coordinator", True, True),
        ("other_coordinator", False, False),
        ("department_contact", True, False),
        ("other_institution_coordinator", False, False),
    ],
)
def test_access_matrix(client, matrix, who, sees_meeting, sees_draft):
    client.force_login(matrix[who])
    for key, expected in (("meeting", sees_meeting), ("draft", sees_draft)):
        status = client.get(detail_url(matrix[key])).status_code
        assert status == (200 if expected else 404), (who, key)
    listed = matrix["meeting"] in client.get(reverse("attendance:meeting_list")).context["meetings"]
    assert listed == sees_meeting


@pytest.mark.parametrize("who", ["wrong_job", "outside_unit", "other_municipality"])
def test_outsiders_cannot_sign_up(client, matrix, who):
    client.force_login(matrix[who])
    assert client.post(sign_up_url(matrix["meeting"])).status_code == 404
    assert not Registration.objects.exists()


def test_staff_without_roster_entry_cannot_sign_up(client, matrix):
    client.force_login(matrix["coordinator"])
    response = client.post(sign_up_url(matrix["meeting"]), follow=True)
    assert "Din konto er ikke knyttet til medarbejderlisten." in messages_of(response)
    assert not Registration.objects.exists()


def test_anonymous_is_sent_to_login(client, matrix):
    meeting = matrix["meeting"]
    for url in (reverse("attendance:meeting_list"), detail_url(meeting)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(sign_up_url(meeting))
    assert response.status_code == 302
    assert not Registration.objects.exists()


def test_registered_person_still_sees_meeting_after_audience_change(
    client, tree, make_meeting, make_employee
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"])
    services.registration_create(meeting=meeting, person=person, by=person.user)
    services.meeting_update(meeting=meeting, audience_units=[tree["HJ-GYM"]], by=None)
    client.force_login(person.user)
    assert client.get(detail_url(meeting)).status_code == 200
    response = client.post(cancel_url(meeting), {"confirm": "1"}, follow=True)
    assert "Din tilmelding er afmeldt." in messages_of(response)


# --- Query counts --------------------------------------------------------------------------------


def populate(tree, make_meeting, make_employee, person, meetings: int):
    others = [make_employee(tree["HJ-SKOLE"]) for _ in range(3)]
    for n in range(meetings):
        meeting = make_meeting(
            tree["HJ"],
            audience=[tree["HJ-BFU"], tree["HJ-GYM"]],
            capacity=2,
            starts_in=dt.timedelta(days=1 + n),
            title=f"Møde {n}",
        )
        for other in others:
            services.registration_create(meeting=meeting, person=other, by=other.user)
        if n % 2:
            services.registration_create(meeting=meeting, person=person, by=person.user)
    return meeting


@pytest.mark.parametrize("meetings", [3, 30])
def test_list_query_count_is_constant(
    client, tree, make_meeting, make_employee, assert_queries, meetings
):
    person = make_employee(tree["HJ-SKOLE"])
    populate(tree, make_meeting, make_employee, person, meetings)
    client.force_login(person.user)
    # 3 of ours (session, the user with their person and whether they hold a role, meetings); the
    # base template's site settings come from the site cache (5 more before).
    response = assert_queries(3, lambda: client.get(reverse("attendance:meeting_list")))
    assert len(response.context["meetings"]) == meetings


@pytest.mark.parametrize("meetings", [3, 30])
def test_detail_query_count_is_constant(
    client, tree, make_meeting, make_employee, assert_queries, meetings
):
    person = make_employee(tree["HJ-SKOLE"])
    last = populate(tree, make_meeting, make_employee, person, meetings)
    services.registration_create(meeting=last, person=person, by=person.user)
    client.force_login(person.user)
    # 12 until the base template's site settings came from the site cache; 7 until the user's
    # roster entry and whether they hold a role came with the user (policy.users_for_request).
    response = assert_queries(5, lambda: client.get(detail_url(last)))
    assert response.context["registration"].status == R.WAITING


def test_meeting_times_are_shown_in_copenhagen_time(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    start = timezone.make_aware(dt.datetime(2030, 7, 1, 9, 30), dt.UTC)  # 11:30 in summer
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=start, ends_at=start + dt.timedelta(hours=1)
    )
    client.force_login(make_employee(tree["HJ-SKOLE"]).user)
    assert "11:30" in client.get(detail_url(meeting)).content.decode()
