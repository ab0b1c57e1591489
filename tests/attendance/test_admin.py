"""The meeting admin: scoped by the access policy, changes through the services."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import services
from attendance.models import Meeting
from lms.people.models import Role


@pytest.fixture
def staff(make_staff, mfa):
    def make(role, unit):
        user = mfa(make_staff(role, unit))
        return user

    return make


def admin_url(name, *args):
    return reverse(f"meetings:{name}", args=args)


def test_index_is_scoped(client, tree, make_meeting, staff):
    make_meeting(tree["HJ"], audience=[tree["HJ"]], title="Hjørring-mødet")
    make_meeting(tree["FR"], audience=[tree["FR"]], title="Frederikshavn-mødet")
    make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], title="Hjørring-kladde", publish=False)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    html = client.get(admin_url("index")).content.decode()
    assert "Hjørring-mødet" in html and "Hjørring-kladde" in html
    assert "Frederikshavn-mødet" not in html
    # A department contact sees published meetings aimed at their area, not drafts.
    client.force_login(staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]))
    html = client.get(admin_url("index")).content.decode()
    assert "Hjørring-kladde" not in html
    assert "Frederikshavn-mødet" not in html


def test_filters(client, tree, make_meeting, staff):
    make_meeting(tree["HJ"], audience=[tree["HJ"]], title="Offentligt møde")
    make_meeting(tree["HJ"], audience=[tree["HJ"]], title="Kladdemøde", publish=False)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    html = client.get(admin_url("index"), {"status": "draft"}).content.decode()
    assert "Kladdemøde" in html and "Offentligt møde" not in html
    html = client.get(admin_url("index"), {"kind": "dialogue"}).content.decode()
    assert "Kladdemøde" not in html
    today = timezone.localdate()
    html = client.get(
        admin_url("index"),
        {"starts_at_after": str(today), "starts_at_before": str(today + dt.timedelta(days=30))},
    ).content.decode()
    assert "Offentligt møde" in html


def test_create_through_the_service(client, tree, staff):
    coordinator = staff(Role.COORDINATOR, tree["HJ"])
    client.force_login(coordinator)
    start = timezone.localtime() + dt.timedelta(days=10)
    data = {
        "kind": "information",
        "title": "Nyt informationsmøde",
        "description": "",
        "org_unit": tree["HJ"].pk,
        "audience_units": [tree["HJ-BFU"].pk],
        "venue": "Rådhuset",
        "online_url": "",
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
        "capacity": 20,
        "cancellation_cutoff_hours": 24,
    }
    response = client.post(admin_url("add"), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting = Meeting.objects.get(title="Nyt informationsmøde")
    assert meeting.status == Meeting.Status.DRAFT
    assert meeting.created_by == coordinator
    assert list(meeting.audience_units.all()) == [tree["HJ-BFU"]]
    assert ModelLogEntry.objects.filter(action="lms.meeting.create", user=coordinator).exists()
    # Bad input: ends before it starts; nothing is saved.
    response = client.post(
        admin_url("add"), {**data, "title": "Forkert", "ends_at": data["starts_at"]}
    )
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="Forkert").exists()
    # A unit of another municipality is not even a choice.
    response = client.post(admin_url("add"), {**data, "title": "Andet", "org_unit": tree["FR"].pk})
    assert response.status_code == 200
    assert not Meeting.objects.filter(title="Andet").exists()


def test_edit_and_inspect_other_municipality_refused(client, tree, make_meeting, staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    client.force_login(staff(Role.COORDINATOR, tree["FR"]))
    assert client.get(admin_url("edit", meeting.pk)).status_code == 404
    assert client.get(admin_url("inspect", meeting.pk)).status_code == 404
    assert (
        client.post(
            admin_url("status", meeting.pk), {"transition": "cancel", "reason": "x"}
        ).status_code
        == 404
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED


def test_employee_has_no_admin(client, tree, make_meeting, make_employee):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    client.force_login(make_employee(tree["HJ-SKOLE"]).user)
    assert client.get(admin_url("index")).status_code == 302
    assert client.get(admin_url("status", meeting.pk)).status_code == 302


def test_inspect_shows_registrations_to_managers_only(
    client, tree, make_meeting, make_employee, staff
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]])
    person = make_employee(tree["HJ-SKOLE"], name="Karen Blixen")
    services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    html = client.get(admin_url("inspect", meeting.pk)).content.decode()
    assert "Karen Blixen" in html and "Bekræftet" in html
    client.force_login(staff(Role.STEERING_GROUP, tree["HJ"]))
    response = client.get(admin_url("inspect", meeting.pk))
    assert response.status_code == 200
    assert "Karen Blixen" not in response.content.decode()


def test_status_changes_through_the_service(client, tree, make_meeting, staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], publish=False)
    coordinator = staff(Role.COORDINATOR, tree["HJ"])
    client.force_login(coordinator)
    response = client.post(admin_url("status", meeting.pk), {"transition": "publish"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    # Cancelling needs a reason; without one nothing changes.
    response = client.post(admin_url("status", meeting.pk), {"transition": "cancel"})
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    # "held" before the start is refused by the service, with its message.
    response = client.post(admin_url("status", meeting.pk), {"transition": "held"})
    assert response.status_code == 200
    assert "før det er startet" in response.content.decode()
    response = client.post(
        admin_url("status", meeting.pk), {"transition": "cancel", "reason": "Sygdom"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.cancel_reason) == (Meeting.Status.CANCELLED, "Sygdom")
    assert ModelLogEntry.objects.filter(action="lms.meeting.cancel", user=coordinator).exists()


def test_edit_capacity_promotes(client, tree, make_meeting, make_employee, staff):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(2)]
    for person in people:
        services.registration_create(meeting=meeting, person=person, by=person.user)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    form = client.get(admin_url("edit", meeting.pk)).context["form"]
    data = {
        name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None
    }
    data["audience_units"] = [u.pk for u in data["audience_units"]]
    for name in ("job_categories", "facilitators"):
        data[name] = [getattr(x, "pk", x) for x in data.get(name, [])]
    for name in ("starts_at", "ends_at"):
        data[name] = timezone.localtime(data[name]).strftime("%Y-%m-%d %H:%M")
    data["capacity"] = 2
    response = client.post(admin_url("edit", meeting.pk), data)
    assert response.status_code == 302, response.context["form"].errors
    meeting.refresh_from_db()
    assert meeting.capacity == 2 and meeting.confirmed_count == 2


# --- The everyday actions on the list row and the edit page (issue 8) ---------------------------


def row_links(html: str, title: str) -> str:
    """The HTML of the list row whose title is `title`."""
    start = html.index(title)
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_list_rows_offer_publish_sheet_and_qr_to_the_coordinator(client, tree, make_meeting, staff):
    draft = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], title="Kladdemødet", publish=False)
    published = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], title="Det offentlige møde")
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    html = client.get(admin_url("index")).content.decode()
    row = row_links(html, "Kladdemødet")
    assert admin_url("publish", draft.pk) in row and "Offentliggør" in row
    assert reverse("attendance_admin:sheet", args=(draft.pk,)) not in row
    row = row_links(html, "Det offentlige møde")
    assert admin_url("publish", published.pk) not in row
    assert reverse("attendance_admin:sheet", args=(published.pk,)) in row
    assert reverse("attendance_admin:qr", args=(published.pk,)) in row
    assert "Fremmødeliste" in row


def test_list_rows_offer_nothing_to_those_the_policy_does_not_allow(
    client, tree, make_meeting, staff
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], title="Det offentlige møde")
    contact = staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])
    client.force_login(contact)
    html = client.get(admin_url("index")).content.decode()
    row = row_links(html, "Det offentlige møde")
    assert reverse("attendance_admin:sheet", args=(meeting.pk,)) not in row
    assert reverse("attendance_admin:qr", args=(meeting.pk,)) not in row
    assert admin_url("publish", meeting.pk) not in row
    # Nor may they publish by the address.
    draft = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], publish=False)
    assert client.get(admin_url("publish", draft.pk)).status_code == 404
    assert client.post(admin_url("publish", draft.pk)).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT
    # A facilitator of the meeting takes its attendance: the sheet, not publishing.
    services.meeting_update(meeting=meeting, facilitators=[contact], by=None)
    row = row_links(client.get(admin_url("index")).content.decode(), "Det offentlige møde")
    assert reverse("attendance_admin:sheet", args=(meeting.pk,)) in row


def test_publish_from_the_list_row_goes_back_to_the_list(client, tree, make_meeting, staff):
    draft = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], title="Kladdemødet", publish=False)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    back = admin_url("index") + "?status=draft"
    response = client.get(admin_url("publish", draft.pk), {"next": back})
    assert response.status_code == 200
    assert "Kladdemødet" in response.content.decode()
    response = client.post(admin_url("publish", draft.pk), {"next": back})
    assert (response.status_code, response.url) == (302, back)
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.PUBLISHED
    # Not a draft any more: a second publish is a clear error, nothing changes.
    response = client.post(admin_url("publish", draft.pk), {"next": "https://evil.example/"})
    assert response.status_code == 400
    assert "ikke offentliggjort" in response.content.decode()


def test_publish_refuses_an_unpublishable_meeting_clearly(client, tree, make_meeting, staff):
    draft = make_meeting(tree["HJ"], title="Uden målgruppe", publish=False)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    response = client.post(admin_url("publish", draft.pk), {"next": "https://evil.example/"})
    assert response.status_code == 400
    assert "Vælg målgruppen" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Meeting.Status.DRAFT


def test_publish_goes_only_to_a_safe_next_address(client, tree, make_meeting, staff):
    draft = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], publish=False)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    response = client.post(admin_url("publish", draft.pk), {"next": "https://evil.example/"})
    assert (response.status_code, response.url) == (302, admin_url("index"))


def test_edit_page_header_has_the_actions(client, tree, make_meeting, staff):
    draft = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], publish=False)
    published = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    header = client.get(admin_url("edit", draft.pk)).context["header_buttons"]
    assert [b.url for b in header][:1] == [admin_url("publish", draft.pk)]
    header = client.get(admin_url("edit", published.pk)).context["header_buttons"]
    urls = [b.url for b in header]
    assert reverse("attendance_admin:sheet", args=(published.pk,)) in urls
    assert reverse("attendance_admin:qr", args=(published.pk,)) in urls
    assert admin_url("publish", published.pk) not in urls
    # The inspect page too, for a department contact: nothing they may not do.
    client.force_login(staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]))
    header = client.get(admin_url("inspect", published.pk)).context["header_buttons"]
    assert all("/attendance/" not in (getattr(b, "url", "") or "") for b in header)


LIST_QUERIES = 13


def test_list_row_actions_cost_no_query_per_row(client, tree, make_meeting, staff, assert_queries):
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    for _ in range(2):
        make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    assert_queries(LIST_QUERIES, lambda: client.get(admin_url("index")))
    for _ in range(8):
        make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]], publish=False)
    assert_queries(LIST_QUERIES, lambda: client.get(admin_url("index")))
