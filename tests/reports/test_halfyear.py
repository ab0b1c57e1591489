"""The half-year report: the PDF's text against the hand-computed trend (Danish letters and
formats), the units not reached, the daily task that builds and offers it once per meeting, the
mail (a link, never a figure), its download (the steering group of its municipality, not another)
and the coordinator's meeting dates."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from attendance.models import Meeting
from lms.mail import absolute_url
from lms.people.models import Role
from reports.models import HalfYearReport, SteeringMeeting
from reports.selectors.halfyear import units_not_reached
from reports.services.coverage import coverage_refresh
from reports.services.halfyear import (
    halfyear_report_build,
    halfyear_reports_due,
    steering_meeting_delete,
    steering_meeting_save,
)
from reports.services.trend import trend_refresh
from tests.attendance.builders import meeting_make
from tests.pdf import pdf_text
from tests.reports.trend_builders import TODAY, trend_build, trend_more


@pytest.fixture
def report_data(tree, jobs, competences):
    data = trend_build(tree, jobs, competences)
    trend_more(tree, jobs, competences)
    coverage_refresh(today=TODAY)
    trend_refresh(today=TODAY)
    # HJ's administration had a meeting two months ago; its institution none in a year.
    meeting = meeting_make(tree["HJ"], audience=[tree["HJ-BFU"]])
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=60),
        ends_at=timezone.now() - dt.timedelta(days=60, hours=-2),
    )
    old = meeting_make(tree["HJ"], audience=[tree["HJ-GYM"]])
    Meeting.objects.filter(pk=old.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=400),
        ends_at=timezone.now() - dt.timedelta(days=400, hours=-2),
    )
    return data


@pytest.fixture
def staff(report_data, make_staff, mfa):
    tree = report_data["tree"]
    return {
        "steering": mfa(make_staff(Role.STEERING_GROUP, tree["HJ"], email="styre@hj.dk")),
        "steering2": mfa(make_staff(Role.STEERING_GROUP, tree["HJ"], email="styre2@hj.dk")),
        "coordinator": mfa(make_staff(Role.COORDINATOR, tree["HJ"], email="tov@hj.dk")),
        "contact": mfa(make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])),
        "foreign": mfa(make_staff(Role.STEERING_GROUP, tree["FR"], email="styre@fr.dk")),
    }


def test_the_units_not_reached(report_data):
    tree = report_data["tree"]
    rows = units_not_reached(unit=tree["HJ"])
    assert [(r.unit.code, r.no_valid_coverage, r.no_meeting) for r in rows] == [
        ("HJ-GYM", False, True)
    ]
    # FR: no meeting at all; its institution has nobody required, its school is covered.
    rows = units_not_reached(unit=tree["FR"])
    assert {(r.unit.code, r.no_valid_coverage, r.no_meeting) for r in rows} == {
        ("FR-BFU", False, True),
        ("FR-GYM", False, True),
    }


def test_no_valid_coverage_is_not_reached(report_data, competences):
    tree = report_data["tree"]
    # Nobody at FR-SKOLE holds the competence any more.
    from lms.competence.models import Evidence
    from lms.competence.services.evidence import evidence_void

    for evidence in Evidence.objects.filter(person__org_unit=tree["FR-SKOLE"]):
        evidence_void(evidence=evidence, reason="Test")
    coverage_refresh(today=TODAY)
    rows = {r.unit.code: r for r in units_not_reached(unit=tree["FR"])}
    assert rows["FR-BFU"].no_valid_coverage is True


def test_the_pdf_says_the_hand_computed_figures(report_data):
    report = halfyear_report_build(unit=report_data["tree"]["HJ"], today=TODAY)
    assert report.period_start == dt.date(2026, 7, 1)
    text = pdf_text(report.file.read())
    assert "Halvårsrapport 2. halvår 2026" in text
    assert "HJ Kommune" in text
    assert "Tal opgjort pr. 30. november 2026" in text
    # Key figures: 9 of 15 now (60,0 pct.), 53,3 pct. in the first half of 2026: +6,7 points.
    assert "Kender bekymringstegn 15 9 60,0 pct. 53,3 pct. +6,7 procentpoint" in text
    # The trend's table beside its chart.
    assert "1. halvår 2025 64,3 pct." in text
    assert "2. halvår 2025 60,0 pct." in text
    # Not reached: the institution with no meeting for a year; the administration was reached.
    assert "Forvaltninger og institutioner, der ikke er nået" in text
    assert "HJ Gymnasium Nej Ja" in text
    assert "HJ BFU Nej" not in text
    # Danish letters survive (an embedded font, not Latin-1 Helvetica).
    assert "Nøgletal" in text and "halvår" in text
    # No names.
    assert "Anna Andersen" not in text


def test_the_pdf_suppresses_small_groups(report_data):
    text = pdf_text(halfyear_report_build(unit=report_data["tree"]["FR"], today=TODAY).file.read())
    # Counts hidden read "<5"; a share not shown reads "–", as on the dashboard, with its legend.
    assert "Kender bekymringstegn <5 <5 – – –" in text
    assert "En dækningsgrad, der ikke vises" in " ".join(text.split())
    assert "1. halvår 2025 –" in text


def test_the_task_builds_and_offers_once_per_meeting(
    report_data, staff, django_capture_on_commit_callbacks
):
    tree = report_data["tree"]
    soon = SteeringMeeting.objects.create(org_unit=tree["HJ"], meets_on=TODAY + dt.timedelta(14))
    later = SteeringMeeting.objects.create(org_unit=tree["HJ"], meets_on=TODAY + dt.timedelta(15))
    past = SteeringMeeting.objects.create(org_unit=tree["HJ"], meets_on=TODAY - dt.timedelta(1))
    with (
        override_settings(REPORTS_HALFYEAR_DAYS_BEFORE=14),
        django_capture_on_commit_callbacks(execute=True),
    ):
        built = halfyear_reports_due(today=TODAY)
    assert [r.meeting for r in built] == [soon]
    assert sorted(m.to[0] for m in mail.outbox) == ["styre2@hj.dk", "styre@hj.dk"]
    with (
        override_settings(REPORTS_HALFYEAR_DAYS_BEFORE=14),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # Once: a second run (the next day's, or a retry) builds and mails nothing more.
        assert halfyear_reports_due(today=TODAY) == []
        assert halfyear_reports_due(today=TODAY + dt.timedelta(1))[0].meeting == later
    assert len(mail.outbox) == 4
    assert HalfYearReport.objects.filter(meeting=soon).count() == 1
    past.refresh_from_db()
    assert past.notified_at is None and not HalfYearReport.objects.filter(meeting=past).exists()


def test_the_mail_carries_a_link_and_no_figures(
    report_data, staff, django_capture_on_commit_callbacks
):
    tree = report_data["tree"]
    SteeringMeeting.objects.create(org_unit=tree["HJ"], meets_on=dt.date(2026, 12, 10))
    with django_capture_on_commit_callbacks(execute=True):
        [report] = halfyear_reports_due(today=TODAY)
    message = mail.outbox[0]
    url = absolute_url(reverse("reports_halfyear:download", args=(report.pk,)))
    assert message.subject == "Halvårsrapporten til styregruppemødet den 10. december 2026"
    assert url in message.body
    assert "Halvårsrapporten for HJ Kommune er klar til styregruppemødet" in message.body
    assert "pct" not in message.body and "60" not in message.body and "%" not in message.body
    assert not message.attachments
    # The foreign municipality's steering group is not told.
    assert "styre@fr.dk" not in [m.to[0] for m in mail.outbox]


def test_the_download_is_for_the_municipality_only(client, report_data, staff):
    report = halfyear_report_build(unit=report_data["tree"]["HJ"], today=TODAY)
    url = reverse("reports_halfyear:download", args=(report.pk,))
    for who in ("steering", "coordinator"):
        client.force_login(staff[who])
        response = client.get(url)
        assert response.status_code == 200, who
        assert response["Content-Type"] == "application/pdf"
        assert "Halvårsrapport" in pdf_text(b"".join(response.streaming_content))
    for who in ("foreign", "contact"):
        client.force_login(staff[who])
        assert client.get(url).status_code == 404, who
    client.logout()
    assert client.get(url).status_code == 302


def test_the_link_is_on_overblik_and_the_home_panel(client, report_data, staff):
    report = halfyear_report_build(unit=report_data["tree"]["HJ"], today=TODAY)
    url = reverse("reports_halfyear:download", args=(report.pk,))
    client.force_login(staff["steering"])
    assert url in client.get(reverse("reports_coverage:index")).content.decode()
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(staff["foreign"])
    assert url not in client.get(reverse("reports_coverage:index")).content.decode()


def test_the_coordinator_enters_the_meeting_dates(client, report_data, staff):
    tree = report_data["tree"]
    client.force_login(staff["coordinator"])
    page = reverse("reports_halfyear:meetings")
    assert client.get(page).status_code == 200
    response = client.post(page, {"org_unit": tree["HJ"].pk, "meets_on": "2027-03-15"})
    assert response.status_code == 302
    meeting = SteeringMeeting.objects.get()
    assert (meeting.org_unit, meeting.meets_on) == (tree["HJ"], dt.date(2027, 3, 15))
    # The same date again: a clear error, nothing added.
    response = client.post(page, {"org_unit": tree["HJ"].pk, "meets_on": "2027-03-15"})
    assert "Styregruppen holder allerede møde på denne dato." in response.content.decode()
    # Another municipality is not on offer.
    response = client.post(page, {"org_unit": tree["FR"].pk, "meets_on": "2027-03-16"})
    assert response.status_code == 200 and SteeringMeeting.objects.count() == 1
    client.post(reverse("reports_halfyear:meeting_delete", args=(meeting.pk,)))
    assert not SteeringMeeting.objects.exists()


@pytest.mark.parametrize("who", ["steering", "contact", "foreign"])
def test_others_may_not_enter_meeting_dates(client, report_data, staff, who):
    client.force_login(staff[who])
    response = client.get(reverse("reports_halfyear:meetings"))
    assert response.status_code in (302, 403)
    with pytest.raises(ValidationError):
        steering_meeting_save(org_unit=report_data["tree"]["HJ"], meets_on=TODAY, by=staff[who])


def test_a_foreign_coordinator_may_not_delete_our_dates(report_data, make_staff, mfa):
    tree = report_data["tree"]
    meeting = SteeringMeeting.objects.create(org_unit=tree["HJ"], meets_on=TODAY)
    foreign = make_staff(Role.COORDINATOR, tree["FR"])
    with pytest.raises(ValidationError):
        steering_meeting_delete(meeting=meeting, by=foreign)
    assert SteeringMeeting.objects.filter(pk=meeting.pk).exists()


def test_moving_a_meeting_offers_the_report_again(report_data, staff):
    tree = report_data["tree"]
    meeting = steering_meeting_save(
        org_unit=tree["HJ"], meets_on=dt.date(2026, 12, 1), by=staff["coordinator"]
    )
    halfyear_reports_due(today=TODAY)
    meeting.refresh_from_db()
    assert meeting.notified_at is not None
    steering_meeting_save(
        org_unit=tree["HJ"], meets_on=dt.date(2026, 12, 5), by=staff["coordinator"], meeting=meeting
    )
    meeting.refresh_from_db()
    assert meeting.notified_at is None
