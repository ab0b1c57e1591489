"""Every place a meeting's time is shown says Europe/Copenhagen time, in winter (UTC+1) and in
summer (UTC+2): the admin list, inspect view and edit form, the public pages, the mails and their
calendar parts, the Action Card PDF and the CSV/XLSX exports. The database holds UTC; a place that
prints a stored value as it is shows the meeting one or two hours early."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar
from openpyxl import load_workbook

from attendance import services
from attendance.models import ActionCardVersion, CardDistribution
from lms.people.models import Person, Role, RoleAssignment
from lms.site.services.pages import site_seed
from tests.pdf import pdf_text

CPH = ZoneInfo("Europe/Copenhagen")
UTC = dt.UTC

# (name, local start, the UTC hour a wrong place would show, Danish date)
SEASONS = [
    ("winter", dt.datetime(2027, 1, 15, 10, 0, tzinfo=CPH), "09", "15. januar 2027"),
    ("summer", dt.datetime(2027, 6, 15, 10, 0, tzinfo=CPH), "08", "15. juni 2027"),
]


@pytest.fixture(params=SEASONS, ids=[season[0] for season in SEASONS])
def season(request):
    return request.param


@pytest.fixture
def meeting(tree, make_meeting, season):
    _name, start, _utc_hour, _date = season
    draft = make_meeting(
        tree["HJ"], audience=[tree["HJ"]], publish=False, title=f"Tidsmøde {_name}"
    )
    services.meeting_update(meeting=draft, starts_at=start, ends_at=start + dt.timedelta(hours=2))
    meeting = services.meeting_publish(meeting=draft, by=None)
    # Stored in UTC: the wrong hour is what a place that forgets the zone would print.
    assert meeting.starts_at.astimezone(UTC).hour == int(season[2])
    return meeting


@pytest.fixture
def coordinator(make_staff, mfa, tree):
    return mfa(make_staff(Role.COORDINATOR, tree["HJ"]))


def assert_local(text: str, season, *, sep=":") -> None:
    """The meeting's 10:00-12:00 local is there; the UTC start is not."""
    _name, _start, utc_hour, _date = season
    assert f"10{sep}00–12{sep}00" in text
    assert f"{utc_hour}{sep}00" not in text


def test_admin_list_inspect_and_edit_show_local_time(client, coordinator, meeting, season):
    client.force_login(coordinator)
    date = season[3]

    listing = client.get(reverse("meetings:index")).content.decode()
    assert f"{date} 10:00" in listing
    assert f"{date} {season[2]}:00" not in listing

    inspect = client.get(reverse("meetings:inspect", args=(meeting.pk,))).content.decode()
    details = inspect.split("<dl>", 1)[1].split("</dl>", 1)[0]
    assert f"{date} 10:00" in details and f"{date} 12:00" in details
    assert f"{season[2]}:00" not in details
    # Empty values (no institution, no online link, no competence) read as a dash.
    assert "None" not in details
    assert "–" in details

    edit = client.get(reverse("meetings:edit", args=(meeting.pk,))).content.decode()
    day = f"{meeting.starts_at.astimezone(CPH):%d.%m.%Y}"
    assert f'name="starts_at" value="{day} 10:00' in edit
    assert f'name="ends_at" value="{day} 12:00' in edit


def test_admin_exports_show_local_time(client, coordinator, meeting, season):
    client.force_login(coordinator)
    day = f"{meeting.starts_at.astimezone(CPH):%Y-%m-%d}"

    response = client.get(reverse("meetings:index"), {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(content)))
    assert row["Starter"] == f"{day} 10:00"
    assert row["Slutter"] == f"{day} 12:00"
    assert row["Titel"] == meeting.title

    response = client.get(reverse("meetings:index"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    starts = rows[0].index("Starter")
    local_day = meeting.starts_at.astimezone(CPH).date()
    assert rows[1][starts] == dt.datetime.combine(local_day, dt.time(10))


def test_card_distribution_export_shows_the_meeting_s_local_time(
    client, coordinator, meeting, make_card, tree
):
    card = make_card()
    # Recorded straight in the table: the service refuses a meeting that has not been held yet.
    CardDistribution.objects.create(
        version=card.current_version,
        meeting=meeting,
        org_unit=tree["HJ-SKOLE"],
        quantity=3,
        handed_out_on=meeting.starts_at.astimezone(CPH).date(),
    )
    CardDistribution.objects.create(  # to a workplace: no meeting, an empty cell
        version=card.current_version,
        org_unit=tree["HJ-SKOLE"],
        quantity=5,
        handed_out_on=meeting.starts_at.astimezone(CPH).date(),
    )
    client.force_login(coordinator)
    html = client.get(reverse("card_distributions:index")).content.decode()
    listing = html.rsplit("<table", 1)[1].split("</table>", 1)[0]  # the last: the listing
    assert "None" not in listing
    assert re.search(r"<td[^>]*>\s*–\s*</td>", listing)  # the workplace's row has no meeting
    response = client.get(reverse("card_distributions:index"), {"export": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert sorted(row["Mødet starter"] for row in rows) == [
        "",
        f"{meeting.starts_at.astimezone(CPH):%Y-%m-%d} 10:00",
    ]
    assert "None" not in content


def test_front_end_pages_show_local_time(client, tree, make_employee, meeting, season):
    employee = make_employee(tree["HJ-SKOLE"])
    client.force_login(employee.user)
    detail = reverse("attendance:meeting_detail", args=(meeting.pk,))
    for url in (reverse("attendance:meeting_list"), detail):
        html = client.get(url).content.decode()
        assert f"{season[3]}, 10:00" in html, url
        assert f"{season[2]}:00" not in html, url


def test_mails_and_calendar_parts_show_local_time(
    tree, make_employee, meeting, season, django_capture_on_commit_callbacks
):
    employee = make_employee(tree["HJ-SKOLE"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(meeting=meeting, person=employee, by=employee.user)
    [message] = mail.outbox
    # Danish style in mails: "kl. 10.00-12.00".
    assert_local(message.body, season, sep=".")
    [(html, _mimetype)] = message.alternatives
    assert_local(html, season, sep=".")
    [part] = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    ics = part.get_payload(decode=True)
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    # UTC with "Z": the reader's calendar shows it in their own zone, 10:00 in Copenhagen.
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)
    assert f"DTSTART:{start:%Y%m%d}T{season[2]}0000Z".encode() in ics
    assert start.astimezone(CPH).strftime("%H:%M") == "10:00"
    assert end.astimezone(CPH).strftime("%H:%M") == "12:00"


def test_the_action_card_pdf_dates_its_approval_in_local_time(client, make_card, season):
    """The card prints a date, not a time: approved at 00:30 Copenhagen time it is that day's,
    while in UTC it is still the day before."""
    site_seed(infohus_name="Infohus Hjørring", contacts=[])
    card = make_card()
    local_day = season[1].date()
    approved = dt.datetime.combine(local_day, dt.time(0, 30), tzinfo=CPH)
    ActionCardVersion.objects.filter(pk=card.current_version_id).update(approved_at=approved)
    assert approved.astimezone(UTC).date() < local_day
    text = pdf_text(client.get(reverse("cards:pdf", args=(card.slug,))).content)
    assert f"{local_day:%d.%m.%Y}" in text
    assert f"{approved.astimezone(UTC):%d.%m.%Y}" not in text


def test_inspect_views_of_the_core_show_local_time_and_dashes(client, tree, make_staff, mfa):
    admin = mfa(make_staff(Role.COORDINATOR, tree["HJ"], is_superuser=True))
    winter = dt.datetime(2027, 1, 15, 9, 0, tzinfo=UTC)
    RoleAssignment.objects.filter(user=admin).update(created_at=winter)
    client.force_login(admin)
    assignment = RoleAssignment.objects.get(user=admin)
    html = client.get(reverse("role_assignments:inspect", args=(assignment.pk,))).content.decode()
    details = html.split("<dl>", 1)[1].split("</dl>", 1)[0]
    assert "15. januar 2027 10:00" in details and "09:00" not in details
    person = Person.objects.create(name="Ane Lund", email="ane@example.dk", org_unit=tree["HJ"])
    html = client.get(reverse("persons:inspect", args=(person.pk,))).content.decode()
    details = html.split("<dl>", 1)[1].split("</dl>", 1)[0]
    # No manager, not left, never anonymised: dashes; active: yes.
    assert "None" not in details and "True" not in details
    assert "–" in details and "Ja" in details


def test_meetings_are_exported_only_by_those_who_manage_them(
    client, make_staff, mfa, tree, meeting
):
    contact = mfa(make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]))
    client.force_login(contact)
    refused = client.get(reverse("meetings:index"), {"export": "csv"})
    assert refused.status_code in (302, 403)  # Wagtail sends a refused admin page home
    assert not refused.get("Content-Disposition")
    other = mfa(make_staff(Role.COORDINATOR, tree["FR"]))
    client.force_login(other)
    response = client.get(reverse("meetings:index"), {"export": "csv"})
    assert response.status_code == 200
    assert meeting.title not in b"".join(response.streaming_content).decode("utf-8-sig")
