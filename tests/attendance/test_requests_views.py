"""The requester's pages: My requests, a new request, a request's status page and follow-ups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, MeetingRequest
from lms.people.models import Person
from tests.factories import JobCategoryFactory

from .builders import accept_data, future, request_data

S = MeetingRequest.Status


def url(name, *args):
    return reverse(f"attendance:{name}", args=args)


def form_data(unit, **overrides):
    data = request_data(unit)
    data = {
        **{k: v for k, v in data.items() if k != "org_unit"},
        "org_unit": unit.pk,
        "preferred_from": data["preferred_from"].isoformat(),
        "preferred_until": data["preferred_until"].isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def proposed(cast, make_request):
    request = make_request()
    return services.request_propose(
        request=request, by=cast.coordinator, starts_at=future(30, 14), ends_at=future(30, 16)
    )


# --- Access matrix ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, proposed):
    for name, args, method in [
        ("request_list", (), "get"),
        ("request_create", (), "get"),
        ("request_detail", (proposed.pk,), "get"),
        ("request_proposal_accept", (proposed.pk,), "post"),
        ("request_proposal_decline", (proposed.pk,), "post"),
        ("request_withdraw", (proposed.pk,), "post"),
    ]:
        response = getattr(client, method)(url(name, *args))
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    proposed.refresh_from_db()
    assert proposed.status == S.PROPOSED


@pytest.mark.parametrize(
    ("who", "list_status"),
    [
        ("employee", 403),  # an employee of the institution: no role, not their request
        ("outsider", 403),
        ("other_contact", 200),  # department contact of another administration
        ("other_institution", 200),  # institution coordinator of another institution
        ("other_coordinator", 200),  # coordinator of another municipality
    ],
)
def test_others_are_refused(client, cast, proposed, who, list_status):
    client.force_login(getattr(cast, who))
    response = client.get(url("request_list"))
    assert response.status_code == list_status
    if list_status == 200:
        assert "HJ Gymnasium" not in response.content.decode()
    assert client.get(url("request_create")).status_code == list_status
    assert client.get(url("request_detail", proposed.pk)).status_code == 404
    for name in ("request_proposal_accept", "request_proposal_decline", "request_withdraw"):
        assert client.post(url(name, proposed.pk), {"message": "x"}).status_code == 404
    proposed.refresh_from_db()
    assert proposed.status == S.PROPOSED
    assert not Meeting.objects.exists()


def test_an_accepted_request_links_its_meeting_and_offers_no_follow_up(client, cast, make_request):
    request = make_request()
    request = services.request_accept(request=request, by=cast.coordinator, **accept_data())
    client.force_login(cast.institution)
    html = client.get(url("request_detail", request.pk)).content.decode()
    assert "Træk anmodningen tilbage" not in html
    assert url("meeting_detail", request.meeting.pk) in html


def test_a_visible_request_without_follow_up_rights_is_403(client, cast, proposed):
    # The requester lost their role: they still see their own request, but may not act on it.
    cast.institution.role_assignments.all().delete()
    client.force_login(cast.institution)
    assert client.get(url("request_detail", proposed.pk)).status_code == 200
    assert client.post(url("request_withdraw", proposed.pk)).status_code == 403
    proposed.refresh_from_db()
    assert proposed.status == S.PROPOSED


# --- Creating -----------------------------------------------------------------------------------


def test_request_form_offers_only_one_s_own_units(client, cast):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.outsider).update(job_category=teacher)
    client.force_login(cast.contact)
    response = client.get(url("request_create"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "HJ BFU" in html and "HJ Skole" in html
    assert "HJ Gymnasium" not in html and "FR" not in html
    assert 'type="date"' in html and 'type="checkbox"' in html and "Lærer" in html


def test_create_a_request(client, cast):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    client.force_login(cast.institution)
    response = client.post(
        url("request_create"),
        form_data(cast.units["HJ-GYM"], job_categories=[teacher.pk]),
    )
    request = MeetingRequest.objects.get()
    assert response.status_code == 302
    assert response.url == url("request_detail", request.pk)
    assert request.requested_by == cast.institution
    assert list(request.job_categories.all()) == [teacher]
    page = client.get(response.url).content.decode()
    assert "Din anmodning er sendt" in page
    assert "Afventer svar" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"preferred_from": dt.timedelta(days=-1)}, "preferred_from", "fortiden"),
        (
            {"preferred_from": dt.timedelta(days=10), "preferred_until": dt.timedelta(days=5)},
            "preferred_until",
            "på eller efter",
        ),
        ({"expected_participants": 0}, "expected_participants", "mindst én"),
        ({"preferred_from": "i morgen"}, "preferred_from", "gyldig dato"),
        ({"kind": ""}, "kind", "påkrævet"),
    ],
)
def test_bad_input_shows_the_error_on_the_field(client, cast, overrides, field, message):
    today = timezone.localdate()
    overrides = {
        k: (today + v).isoformat() if isinstance(v, dt.timedelta) else v
        for k, v in overrides.items()
    }
    client.force_login(cast.institution)
    response = client.post(url("request_create"), form_data(cast.units["HJ-GYM"], **overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field]).lower()
    html = response.content.decode()
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert not MeetingRequest.objects.exists()


def test_a_unit_outside_one_s_area_is_not_a_choice(client, cast):
    client.force_login(cast.institution)
    response = client.post(url("request_create"), form_data(cast.units["HJ-EUC"]))
    assert response.status_code == 400
    assert "org_unit" in response.context["form"].errors
    assert not MeetingRequest.objects.exists()


# --- Following up -------------------------------------------------------------------------------


def test_status_page_shows_the_proposal_and_accepting_it_plans_the_meeting(client, cast, proposed):
    client.force_login(cast.institution)
    html = client.get(url("request_detail", proposed.pk)).content.decode()
    assert "Der er foreslået et andet tidspunkt" in html
    assert "Acceptér det foreslåede tidspunkt" in html
    response = client.post(url("request_proposal_accept", proposed.pk))
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == S.ACCEPTED
    html = client.get(url("request_detail", proposed.pk)).content.decode()
    assert "Du har accepteret det foreslåede tidspunkt" in html
    assert url("meeting_detail", proposed.meeting.pk) in html
    # Twice: a clear message, nothing more happens.
    client.post(url("request_proposal_accept", proposed.pk))
    assert Meeting.objects.count() == 1


def test_declining_a_proposal_needs_a_message(client, cast, proposed):
    client.force_login(cast.colleague)
    response = client.post(url("request_proposal_decline", proposed.pk), {"message": " "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == S.PROPOSED
    response = client.post(url("request_proposal_decline", proposed.pk), {"message": "Kun fredag"})
    assert response.status_code == 302
    proposed.refresh_from_db()
    assert proposed.status == S.SUBMITTED
    assert proposed.message.endswith("Kun fredag")


def test_withdraw(client, cast, make_request):
    request = make_request()
    client.force_login(cast.institution)
    assert client.get(url("request_withdraw", request.pk)).status_code == 405
    response = client.post(url("request_withdraw", request.pk))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == S.WITHDRAWN
    html = client.get(url("request_detail", request.pk)).content.decode()
    assert "Anmodningen er trukket tilbage." in html


def test_meetings_page_links_to_requests_for_those_who_may_request(client, cast):
    client.force_login(cast.institution)
    assert url("request_list") in client.get(url("meeting_list")).content.decode()
    client.force_login(cast.employee)
    assert url("request_list") not in client.get(url("meeting_list")).content.decode()


# --- Query counts -------------------------------------------------------------------------------


# 9 until the base template's site settings, contacts and links came from the site cache
# (lms.site.selectors.site), 4 since.
REQUEST_LIST_QUERIES = 4


@pytest.mark.parametrize("n", [3, 30])
def test_request_list_queries_do_not_grow(client, cast, make_request, assert_queries, n):
    client.force_login(cast.institution)
    while MeetingRequest.objects.count() < n:
        request = make_request()
        if MeetingRequest.objects.count() % 3 == 0:
            services.request_accept(request=request, by=cast.coordinator, **accept_data())
    response = assert_queries(REQUEST_LIST_QUERIES, lambda: client.get(url("request_list")))
    assert response.status_code == 200
    assert len(response.context["meeting_requests"]) == n


# --- Job categories of the unit (issue 8) -------------------------------------------------------


def test_request_form_offers_the_unit_s_job_categories_with_head_counts(client, cast):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    JobCategoryFactory(code="NURSE", name="Sundhedsplejerske")  # nobody at the gymnasium
    Person.objects.filter(user=cast.employee).update(job_category=teacher)
    client.force_login(cast.institution)
    html = client.get(url("request_create")).content.decode()
    assert "Lærer (1)" in html
    assert "Sundhedsplejerske" not in html
    # One unit: nothing to choose, no button to show another unit's categories.
    assert 'name="refresh"' not in html


def test_request_form_shows_the_chosen_unit_s_job_categories(client, cast):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    nurse = JobCategoryFactory(code="NURSE", name="Sundhedsplejerske")
    Person.objects.filter(user=cast.outsider).update(job_category=teacher)  # HJ Skole
    from tests.factories import PersonFactory

    PersonFactory(org_unit=cast.units["HJ-BFU"], job_category=nurse)
    client.force_login(cast.contact)
    html = client.get(url("request_create")).content.decode()
    # The first unit (HJ BFU, with HJ Skole below it) is the one shown selected.
    assert "Lærer (1)" in html and "Sundhedsplejerske (1)" in html
    assert 'name="refresh"' in html
    response = client.post(
        url("request_create"),
        form_data(cast.units["HJ-SKOLE"], refresh="1", message="Kladde"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lærer (1)" in html and "Sundhedsplejerske" not in html
    assert "Kladde" in html  # what was typed is kept
    assert not MeetingRequest.objects.exists()


def test_a_job_category_nobody_at_the_unit_has_is_a_clear_error(client, cast):
    nurse = JobCategoryFactory(code="NURSE", name="Sundhedsplejerske")
    client.force_login(cast.institution)
    response = client.post(
        url("request_create"), form_data(cast.units["HJ-GYM"], job_categories=[nurse.pk])
    )
    assert response.status_code == 400
    assert "Ingen på HJ Gymnasium har jobkategorien Sundhedsplejerske" in "".join(
        response.context["form"].errors["job_categories"]
    )
    assert not MeetingRequest.objects.exists()
