"""What the meetings app puts on Min side and on the admin home, per role, and what it keeps from
those who may not see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import ActionCardVersion

from .builders import SIGNS, STEPS

ADMIN = "/admin/"
MY_PAGE = "/min-side/"


def section(html: str, heading_id: str) -> str:
    """The HTML of one panel / section, from its heading to the next one."""
    start = html.index(f'id="{heading_id}"')
    end = min(
        (
            i
            for i in (html.find("<section", start), html.find("w-panel--dashboard", start))
            if i > 0
        ),
        default=len(html),
    )
    return html[start:end]


@pytest.fixture
def meetings(cast, make_meeting):
    """One meeting for the school (under HJ-BFU), one for the gymnasium, one of FR."""
    units = cast.units
    return {
        "school": make_meeting(
            units["HJ"], audience=[units["HJ-SKOLE"]], title="Møde for skolen", capacity=20
        ),
        "gym": make_meeting(
            units["HJ"],
            audience=[units["HJ-GYM"]],
            title="Møde for gymnasiet",
            starts_in=dt.timedelta(days=9),
        ),
        "fr": make_meeting(units["FR"], audience=[units["FR-SKOLE"]], title="Møde i FR"),
    }


# --- Min side -----------------------------------------------------------------------------------


def test_my_page_lists_my_upcoming_meetings_and_not_a_colleagues(client, cast, meetings):
    employee = cast.employee.person
    services.registration_create(meeting=meetings["gym"], person=employee, by=None)
    outsider = cast.outsider.person
    services.registration_create(meeting=meetings["school"], person=outsider, by=None)

    client.force_login(cast.employee)
    html = client.get(MY_PAGE).content.decode()
    mine = section(html, "my-page-meetings")
    assert "Møde for gymnasiet" in mine
    assert reverse("attendance:meeting_detail", args=(meetings["gym"].pk,)) in mine
    assert "Møde for skolen" not in html  # the outsider's, and not for the gymnasium
    assert "Møde i FR" not in html

    client.force_login(cast.outsider)
    html = client.get(MY_PAGE).content.decode()
    assert "Møde for skolen" in section(html, "my-page-meetings")
    assert "Møde for gymnasiet" not in html


def test_my_page_counts_the_meetings_still_open_to_me(client, cast, meetings):
    client.force_login(cast.employee)
    html = client.get(MY_PAGE).content.decode()
    mine = section(html, "my-page-meetings")
    assert "Du er ikke tilmeldt nogen kommende møder." in mine
    assert "1 kommende møde mere er åbent for dig." in mine


def test_my_page_shows_my_first_meetings_soonest_first_and_counts_the_rest(
    client, cast, make_meeting, make_employee
):
    """More of the person's own meetings than Min side shows, one on the waiting list, and
    others open to them: the same as meetings_upcoming_for, in one query."""
    from attendance.my_page import SHOWN
    from attendance.selectors.meetings import meetings_upcoming_for, meetings_upcoming_summary

    gym = cast.units["HJ-GYM"]
    employee = cast.employee.person
    made = [
        make_meeting(
            cast.units["HJ"],
            audience=[gym],
            title=f"Møde {n}",
            capacity=1,
            starts_in=dt.timedelta(days=20 - n),
        )
        for n in range(9)
    ]
    services.registration_create(meeting=made[8], person=make_employee(gym), by=None)
    for meeting in made[1:]:
        services.registration_create(meeting=meeting, person=employee, by=None)

    summary = meetings_upcoming_summary(user=cast.employee, shown=SHOWN)
    upcoming = list(meetings_upcoming_for(user=cast.employee))
    mine = [m for m in upcoming if m.own_registration_id is not None]
    assert [(pk, status) for pk, _title, _starts, status in summary.mine] == [
        (m.pk, m.own_status) for m in mine[:SHOWN]
    ]
    assert (summary.mine_count, summary.open_count) == (8, len(upcoming) - 8)
    assert summary.mine[0][0] == made[8].pk and summary.mine[0][3] == "waiting"

    client.force_login(cast.employee)
    listed = section(client.get(MY_PAGE).content.decode(), "my-page-meetings")
    assert listed.count("<li>") == SHOWN
    assert listed.index("Møde 8") < listed.index("Møde 7")
    assert "Du er på venteliste" in listed
    assert "Møde 1<" not in listed


def test_my_page_shows_requests_to_those_who_may_ask_for_meetings(client, cast, make_request):
    own = make_request(by=cast.institution)
    make_request(by=cast.other_institution, unit=cast.units["HJ-EUC"])

    client.force_login(cast.institution)
    requests = section(client.get(MY_PAGE).content.decode(), "my-page-requests")
    assert reverse("attendance:request_detail", args=(own.pk,)) in requests
    assert "HJ EUC" not in requests
    assert reverse("attendance:request_create") in requests

    client.force_login(cast.employee)
    assert 'id="my-page-requests"' not in client.get(MY_PAGE).content.decode()


# --- Admin home ---------------------------------------------------------------------------------


def test_a_coordinator_answers_open_requests_from_the_admin_home(client, cast, make_request):
    open_request = make_request()
    fr_request = make_request(by=cast.other_coordinator, unit=cast.units["FR-GYM"])

    client.force_login(cast.coordinator)
    html = client.get(ADMIN).content.decode()
    panel = section(html, "meeting_requests-section")
    assert "Åbne mødeanmodninger" in panel
    assert "HJ Gymnasium" in panel
    item = reverse("meeting_requests:item", args=(open_request.pk,))
    assert f'href="{item}">Besvar' in panel
    assert reverse("meeting_requests:item", args=(fr_request.pk,)) not in html


def test_a_coordinator_sees_upcoming_meetings_with_free_seats(client, cast, meetings):
    services.registration_create(meeting=meetings["school"], person=cast.outsider.person, by=None)
    client.force_login(cast.coordinator)
    panel = section(client.get(ADMIN).content.decode(), "upcoming_meetings-section")
    assert "Møde for skolen" in panel
    assert "19 af 20 pladser ledige" in panel
    assert f'href="{reverse("meetings:edit", args=(meetings["school"].pk,))}">Rediger' in panel
    assert "Møde i FR" not in panel


def test_a_coordinator_sees_card_drafts_and_cards_due_for_review(
    client, cast, make_card, coordinators
):
    card = make_card("medarbejdere")
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    due = make_card("ledere", title="Handlekort for ledere")
    ActionCardVersion.objects.filter(pk=due.current_version_id).update(
        review_date=timezone.localdate() + dt.timedelta(days=10)
    )
    later = make_card("borgere", title="Handlekort for borgere")  # review in a year: not listed
    fr_card = services.card_create(
        slug="fr",
        audience="staff",
        org_unit=cast.units["FR"],
        owner=coordinators["other"],
        title="Handlekort i FR",
        summary="",
        signs=SIGNS,
        steps=STEPS,
        review_date=timezone.localdate() + dt.timedelta(days=5),
        by=coordinators["other"],
    )

    client.force_login(cast.coordinator)
    panel = section(client.get(ADMIN).content.decode(), "action_cards-section")
    assert "Kladde til version 2 venter på godkendelse" in panel
    assert reverse("action_cards:version_approve", args=(draft.pk,)) in panel
    assert "Handlekort for ledere" in panel
    assert reverse("action_cards:inspect", args=(due.pk,)) in panel
    assert reverse("action_cards:inspect", args=(later.pk,)) not in panel
    assert reverse("action_cards:inspect", args=(fr_card.pk,)) not in panel
    assert "Handlekort i FR" not in panel


def test_a_department_contact_sees_their_requests_and_their_units_meetings_only(
    client, cast, make_request, meetings
):
    own = make_request(by=cast.contact, unit=cast.units["HJ-BFU"])
    gym = make_request(by=cast.institution)

    client.force_login(cast.contact)
    html = client.get(ADMIN).content.decode()
    requests = section(html, "meeting_requests-section")
    assert "Jeres mødeanmodninger" in requests
    assert reverse("meeting_requests:item", args=(own.pk,)) in requests
    assert reverse("meeting_requests:item", args=(gym.pk,)) not in html
    assert "Besvar" not in requests
    upcoming = section(html, "upcoming_meetings-section")
    assert "Møde for skolen" in upcoming
    assert f'href="{reverse("meetings:inspect", args=(meetings["school"].pk,))}">Åbn' in upcoming
    assert "Møde for gymnasiet" not in html
    assert "Møde i FR" not in html
    assert 'id="action_cards-section"' not in html


def test_an_institution_coordinator_sees_their_institutions_requests_only(
    client, cast, make_request, meetings
):
    own = make_request(by=cast.colleague)  # a colleague's request for the same institution
    euc = make_request(by=cast.other_institution, unit=cast.units["HJ-EUC"])
    client.force_login(cast.institution)
    html = client.get(ADMIN).content.decode()
    assert reverse("meeting_requests:item", args=(own.pk,)) in html
    assert reverse("meeting_requests:item", args=(euc.pk,)) not in html
    assert "Møde for gymnasiet" in section(html, "upcoming_meetings-section")
    assert "Møde for skolen" not in html


# --- Query counts -------------------------------------------------------------------------------


def _add_meetings(cast, make_meeting, make_request, count):
    for number in range(count):
        meeting = make_meeting(
            cast.units["HJ"],
            audience=[cast.units["HJ-GYM"]],
            title=f"Møde {number}",
            starts_in=dt.timedelta(days=5 + number),
        )
        services.registration_create(meeting=meeting, person=cast.employee.person, by=None)
        make_request(by=cast.institution, expected_participants=10 + number)


# Min side: 17 until the site settings, contacts and the catalogue's address came from the site
# cache (lms.site.selectors.site), 12 since; 11 since the meetings section counts its meetings
# and those the person is signed up for in one aggregate; 9 since the employee's roster entry and
# whether they hold a role come with the user (policy.users_for_request); 7 since the meetings
# section reads its meetings and both counts in one query (window counts), and the required
# courses are the person's enrolments in one query with the courses of their audience from the
# site cache (issue 13). The coordinator's admin
# home: 30 since the overdue concerns head it (lms.concerns.panels: the count and the first
# cases, 2).
@pytest.mark.parametrize("who,url,queries", [("employee", MY_PAGE, 7), ("coordinator", ADMIN, 30)])
def test_start_pages_read_a_fixed_number_of_queries(
    client, cast, make_meeting, make_request, assert_queries, who, url, queries
):
    client.force_login(getattr(cast, who))
    _add_meetings(cast, make_meeting, make_request, 2)
    assert assert_queries(queries, lambda: client.get(url)).status_code == 200
    _add_meetings(cast, make_meeting, make_request, 12)
    assert assert_queries(queries, lambda: client.get(url)).status_code == 200
