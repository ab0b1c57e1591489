"""The coordinators' queue of meeting requests in the Wagtail admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, MeetingRequest
from tests.factories import CompetenceFactory

from .builders import accept_data, future

S = MeetingRequest.Status


def admin_url(name, *args):
    return reverse(f"meeting_requests:{name}", args=args)


def local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def accept_post(**overrides):
    data = accept_data()
    data = {
        **data,
        "starts_at": local(data["starts_at"]),
        "ends_at": local(data["ends_at"]),
        "description": "",
        "online_url": "",
    }
    data.update(overrides)
    return data


# --- Access matrix ------------------------------------------------------------------------------


def test_anonymous_and_employees_are_kept_out(client, cast, make_request):
    request = make_request()
    for name, args in [("index", ()), ("item", (request.pk,)), ("accept", (request.pk,))]:
        response = client.get(admin_url(name, *args))
        assert response.status_code == 302 and "/login" in response.url
    client.force_login(cast.employee)
    for name, args in [("index", ()), ("item", (request.pk,)), ("decline", (request.pk,))]:
        response = client.get(admin_url(name, *args))
        assert response.status_code == 302 and response.url == "/"


@pytest.mark.parametrize("who", ["other_coordinator", "other_institution", "other_contact"])
def test_others_neither_see_nor_answer(client, cast, make_request, who):
    request = make_request()
    client.force_login(getattr(cast, who))
    index = client.get(admin_url("index"))
    assert index.status_code == 200
    assert "HJ Gymnasium" not in index.content.decode()
    assert client.get(admin_url("item", request.pk)).status_code == 404
    for name in ("accept", "propose", "decline"):
        assert client.get(admin_url(name, request.pk)).status_code == 404
    assert client.post(admin_url("decline", request.pk), {"reason": "Nej"}).status_code == 404
    assert client.post(admin_url("accept", request.pk), accept_post()).status_code == 404
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    assert not Meeting.objects.exists()


def test_the_requester_sees_their_request_but_may_not_answer_it(client, cast, make_request):
    request = make_request()
    client.force_login(cast.institution)
    html = client.get(admin_url("item", request.pk)).content.decode()
    assert "HJ Gymnasium" in html
    assert admin_url("accept", request.pk) not in html
    assert admin_url("decline", request.pk) not in html
    # Wagtail answers PermissionDenied with its "no permission" message on the dashboard.
    home = reverse("wagtailadmin_home")
    for name in ("accept", "propose", "decline"):
        response = client.get(admin_url(name, request.pk))
        assert (response.status_code, response.url) == (302, home)
    response = client.post(admin_url("decline", request.pk), {"reason": "Nej"})
    assert (response.status_code, response.url) == (302, home)
    request.refresh_from_db()
    assert request.status == S.SUBMITTED


def test_menu_item_is_shown_by_the_policy(client, cast):
    client.force_login(cast.coordinator)
    assert admin_url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    from wagtail.admin.menu import admin_menu

    from attendance.viewsets.requests import RequestsMenuItem

    item = next(i for i in admin_menu.registered_menu_items if isinstance(i, RequestsMenuItem))

    class Fake:
        def __init__(self, user):
            self.user = user

    assert item.is_shown(Fake(cast.coordinator))
    assert item.is_shown(Fake(cast.institution))
    assert not item.is_shown(Fake(cast.employee))


# --- The queue ----------------------------------------------------------------------------------


def test_queue_lists_open_ones_first_and_filters_by_status(client, cast, make_request):
    declined = make_request(place="Afvist sted")
    services.request_decline(request=declined, by=cast.coordinator, reason="Nej")
    make_request(by=cast.contact, unit=cast.units["HJ-SKOLE"])
    client.force_login(cast.coordinator)
    response = client.get(admin_url("index"))
    page = list(response.context["page"].object_list)
    assert [r.status for r in page] == [S.SUBMITTED, S.DECLINED]
    html = response.content.decode()
    assert "HJ Skole" in html and "HJ Gymnasium" in html
    assert "Afventer svar" in html
    response = client.get(admin_url("index"), {"status": "declined"})
    assert [r.pk for r in response.context["page"].object_list] == [declined.pk]
    response = client.get(admin_url("index"), {"status": "open"})
    assert [r.status for r in response.context["page"].object_list] == [S.SUBMITTED]


QUEUE_QUERIES = 13


@pytest.mark.parametrize("n", [3, 30])
def test_queue_queries_do_not_grow(client, cast, make_request, assert_queries, n):
    client.force_login(cast.coordinator)
    while MeetingRequest.objects.count() < n:
        request = make_request()
        if MeetingRequest.objects.count() % 3 == 0:
            services.request_accept(request=request, by=cast.coordinator, **accept_data())
    response = assert_queries(QUEUE_QUERIES, lambda: client.get(admin_url("index")))
    assert len(response.context["page"].object_list) == n


# --- Answering ----------------------------------------------------------------------------------


def test_accept_form_is_prefilled_from_the_request(client, cast, make_request):
    request = make_request(expected_participants=42, place="Auditoriet")
    client.force_login(cast.coordinator)
    response = client.get(admin_url("accept", request.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["title"] == "Informationsmøde: HJ Gymnasium"
    assert form.initial["capacity"] == 42
    assert form.initial["venue"] == "Auditoriet"
    assert form.initial["organiser"] == cast.units["HJ"].pk
    assert form.initial["facilitators"] == [cast.coordinator.pk]
    # "Tirsdag eftermiddag": the first working Tuesday of the preferred period, at 13:00.
    starts_at = timezone.localtime(form.initial["starts_at"])
    assert starts_at.weekday() == 1 and starts_at.strftime("%H:%M") == "13:00"
    assert request.preferred_from <= starts_at.date() < request.preferred_from + dt.timedelta(14)
    assert form.initial["ends_at"] - form.initial["starts_at"] == dt.timedelta(hours=2)
    # Only units of the coordinator's area that hold the request's unit can organise.
    assert list(form.fields["organiser"].queryset) == [cast.units["HJ"], cast.units["HJ-GYM"]]


def test_accept_creates_and_publishes_the_meeting(client, cast, make_request):
    competence = CompetenceFactory()
    request = make_request()
    client.force_login(cast.coordinator)
    response = client.post(
        admin_url("accept", request.pk),
        accept_post(
            organiser=cast.units["HJ"].pk,
            facilitators=[cast.coordinator.pk],
            competence=competence.pk,
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    meeting = request.meeting
    assert meeting.status == Meeting.Status.PUBLISHED
    assert meeting.competence == competence
    assert list(meeting.facilitators.all()) == [cast.coordinator]
    html = client.get(admin_url("item", request.pk)).content.decode()
    assert reverse("meetings:inspect", args=(meeting.pk,)) in html
    assert admin_url("accept", request.pk) not in html


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"ends_at": local(future(20, 9))}, "ends_at"),
        ({"starts_at": local(future(-3, 10)), "ends_at": local(future(-3, 12))}, "starts_at"),
        ({"venue": ""}, "venue"),
    ],
)
def test_bad_accept_shows_the_error_and_changes_nothing(
    client, cast, make_request, overrides, field
):
    request = make_request()
    client.force_login(cast.coordinator)
    response = client.post(
        admin_url("accept", request.pk), accept_post(organiser=cast.units["HJ"].pk, **overrides)
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    assert not Meeting.objects.exists()


def test_propose_another_time(client, cast, make_request):
    request = make_request()
    client.force_login(cast.coordinator)
    response = client.post(
        admin_url("propose", request.pk),
        {"starts_at": local(future(-1)), "ends_at": local(future(-1, 12)), "message": ""},
    )
    assert response.status_code == 400
    assert "starts_at" in response.context["form"].errors
    response = client.post(
        admin_url("propose", request.pk),
        {"starts_at": local(future(40, 9)), "ends_at": local(future(40, 11)), "message": "Ok?"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == S.PROPOSED
    assert request.proposed_starts_at == future(40, 9)
    html = client.get(admin_url("item", request.pk)).content.decode()
    # Waiting for the requester: only declining is still offered.
    assert admin_url("accept", request.pk) not in html
    assert admin_url("decline", request.pk) in html


def test_decline_needs_a_reason(client, cast, make_request):
    request = make_request()
    client.force_login(cast.coordinator)
    response = client.post(admin_url("decline", request.pk), {"reason": "  "})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    request.refresh_from_db()
    assert request.status == S.SUBMITTED
    response = client.post(admin_url("decline", request.pk), {"reason": "Ingen kapacitet"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.response) == (S.DECLINED, "Ingen kapacitet")
    # Answered: a second answer is a clear error, not a change.
    response = client.post(admin_url("decline", request.pk), {"reason": "Igen"})
    assert response.status_code == 400
    assert "allerede besvaret" in response.content.decode()


# --- The audience (issue 8) ---------------------------------------------------------------------


@pytest.fixture
def emptied(cast, make_request):
    """A request for the gymnasium's teachers, whose only teacher has since changed job."""
    from lms.people.models import Person
    from tests.factories import JobCategoryFactory

    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    request = make_request(job_categories=[teacher])
    Person.objects.filter(user=cast.employee).update(
        job_category=JobCategoryFactory(code="PAED", name="Pædagog")
    )
    return request


def test_accept_form_shows_the_audience_head_count(client, cast, make_request):
    request = make_request()
    client.force_login(cast.coordinator)
    response = client.get(admin_url("accept", request.pk))
    assert response.context["audience_size"] == 1
    html = response.content.decode()
    assert "Målgruppen: 1 aktiv medarbejder" in html
    assert "empty_audience_confirmed" not in html


def test_accept_form_warns_of_an_empty_audience_and_lets_the_coordinator_widen_it(
    client, cast, emptied
):
    client.force_login(cast.coordinator)
    # Warned on the request's page already.
    assert "Ingen er i målgruppen" in client.get(admin_url("item", emptied.pk)).content.decode()
    response = client.get(admin_url("accept", emptied.pk))
    assert response.context["audience_size"] == 0
    html = response.content.decode()
    assert "Ingen er i målgruppen" in html
    # The unit's job categories with their head counts, the request's own (0) still there.
    labels = [label for _, label in response.context["form"].fields["job_categories"].choices]
    assert labels == ["Lærer (0)", "Pædagog (1)"]
    assert 'name="empty_audience_confirmed"' in html

    # Accepting as asked: refused, nothing created.
    response = client.post(
        admin_url("accept", emptied.pk),
        accept_post(
            organiser=cast.units["HJ"].pk, job_categories=[emptied.job_categories.get().pk]
        ),
    )
    assert response.status_code == 400
    assert "job_categories" in response.context["form"].errors
    assert not Meeting.objects.exists()

    # Widened to everyone: accepted, the meeting reaches the gymnasium's staff.
    response = client.post(
        admin_url("accept", emptied.pk), accept_post(organiser=cast.units["HJ"].pk)
    )
    assert response.status_code == 302, response.context["form"].errors
    emptied.refresh_from_db()
    assert emptied.status == S.ACCEPTED
    assert not emptied.meeting.job_categories.exists()


def test_accept_an_empty_audience_when_confirmed(client, cast, emptied):
    client.force_login(cast.coordinator)
    response = client.post(
        admin_url("accept", emptied.pk),
        accept_post(
            organiser=cast.units["HJ"].pk,
            job_categories=[emptied.job_categories.get().pk],
            empty_audience_confirmed="on",
        ),
    )
    assert response.status_code == 302
    emptied.refresh_from_db()
    assert emptied.status == S.ACCEPTED


# --- Answering from the list (issue 8) ----------------------------------------------------------


def test_the_queue_offers_the_answers_on_each_row_to_those_who_may_answer(
    client, cast, make_request
):
    submitted = make_request()
    proposed = make_request(place="Foreslået")
    services.request_propose(
        request=proposed, starts_at=future(30), ends_at=future(30, 12), by=cast.coordinator
    )
    client.force_login(cast.coordinator)
    html = client.get(admin_url("index")).content.decode()
    for name in ("accept", "propose", "decline"):
        assert admin_url(name, submitted.pk) in html
    # Waiting for the requester: only declining.
    assert admin_url("decline", proposed.pk) in html
    assert admin_url("accept", proposed.pk) not in html
    assert "Imødekom anmodningen: HJ Gymnasium" in html
    # From the row straight to the answer.
    assert client.get(admin_url("accept", submitted.pk)).status_code == 200

    # The requester sees their requests in the queue, without the answers.
    client.force_login(cast.institution)
    html = client.get(admin_url("index")).content.decode()
    assert "HJ Gymnasium" in html
    for name in ("accept", "propose", "decline"):
        assert admin_url(name, submitted.pk) not in html
