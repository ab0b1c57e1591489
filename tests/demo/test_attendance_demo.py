"""The demo season of meetings (attendance.demo.meetings), loaded by `manage.py load_demo_data`."""

from collections import Counter
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from attendance import access as meeting_access
from attendance.demo import meetings as demo
from attendance.models import Attendance, CardDistribution, Meeting, MeetingRequest, Registration
from lms.competence.demo.competences import SIGNS
from lms.competence.models import Evidence
from lms.people.models import Person, User
from newsletters.models import Delivery
from tests.factories import wagtail_roots_ensure
from tests.mails import is_report_offer

pytestmark = pytest.mark.django_db

S = Meeting.Status
R = Registration.Status
M = Attendance.Mark


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


@dataclass
class Loaded:
    output: str
    callbacks: list
    outbox: list


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo loaded once for the module, in a transaction rolled back at the end; the
    on-commit callbacks of the load are run, as a real commit would, and the mail they would send
    is kept."""
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
            output = load()
        yield Loaded(output=output, callbacks=list(callbacks), outbox=list(mail.outbox))
        transaction.set_rollback(True)


def season():
    return Meeting.objects.filter(title__in=[plan.title for plan in demo.SEASON])


def past():
    return season().filter(starts_at__lt=timezone.now())


def upcoming():
    return season().filter(starts_at__gt=timezone.now())


def employee() -> Person:
    return Person.objects.get(email="medarbejder@demo.infohus.dk")


def test_the_command_reports_the_season(loaded):
    assert "Attendance: 14 meetings, " in loaded.output
    assert "Demo data loaded." in loaded.output


def test_nobody_was_mailed_but_the_demo_newsletter(loaded, db):
    """Meetings notify nobody (notifications.silenced()): the only mail of the load is the demo
    newsletter, one message per delivery of its ledger (newsletters.demo), and the half-year
    report's link to the steering group (reports.demo)."""
    sent = Delivery.objects.filter(status=Delivery.Status.SENT).values_list("email", flat=True)
    assert Counter(m.to[0] for m in loaded.outbox if not is_report_offer(m)) == Counter(sent)


def test_past_meetings_were_held_with_attendance_and_evidence(loaded, db):
    meetings = list(past().select_related("competence"))
    assert len(meetings) == len(demo.PAST) == 8
    assert {m.status for m in meetings} == {S.HELD, S.CLOSED}
    marks = set()
    for meeting in meetings:
        assert meeting.competence.code == SIGNS
        assert meeting.facilitators.filter(email=demo.COORDINATOR_EMAIL).exists()
        assert 20 <= meeting.capacity <= 60
        assert meeting.venue
        confirmed = meeting.registrations.filter(status=R.CONFIRMED)
        assert confirmed.count() == meeting.confirmed_count > 0
        attendances = meeting.attendances.all()
        # Everyone with a seat is on the sheet.
        assert set(confirmed.values_list("person", flat=True)) <= set(
            attendances.values_list("person", flat=True)
        )
        marks |= set(attendances.values_list("mark", flat=True))
        attended = set(
            attendances.filter(mark__in=Attendance.ATTENDED).values_list("person", flat=True)
        )
        evidence = Evidence.objects.filter(source_reference=f"meeting:{meeting.pk}", voided_at=None)
        assert set(evidence.values_list("person", flat=True)) == attended
        assert set(evidence.values_list("achieved_on", flat=True)) == {
            timezone.localdate(meeting.starts_at)
        }
        assert not evidence.exclude(competence=meeting.competence).exists()
        # Mostly present.
        assert attendances.filter(mark=M.PRESENT).count() > attendances.count() / 2
    assert marks == {M.PRESENT, M.LATE, M.EXCUSED, M.ABSENT}
    assert Attendance.objects.filter(meeting__in=meetings, walk_in=True).exists()


def test_upcoming_meetings_take_sign_ups_one_full_with_a_waiting_list_one_a_draft(loaded, db):
    meetings = list(upcoming())
    assert len(meetings) == len(demo.UPCOMING) == 6
    drafts = [m for m in meetings if m.status == S.DRAFT]
    published = [m for m in meetings if m.status == S.PUBLISHED]
    assert len(drafts) == 1 and len(published) == 5
    assert not drafts[0].registrations.exists()
    full = []
    for meeting in published:
        confirmed = meeting.registrations.filter(status=R.CONFIRMED).count()
        waiting = meeting.registrations.filter(status=R.WAITING).count()
        assert confirmed == meeting.confirmed_count > 0
        assert confirmed <= meeting.capacity
        assert not meeting.attendances.exists()
        if waiting:
            full.append(meeting)
            assert confirmed == meeting.capacity
    assert len(full) == 1
    # Signed up in the past, in the order of the waiting list.
    for registration in Registration.objects.filter(meeting__in=meetings):
        assert registration.created_at < timezone.now()


def test_the_employee_login_attended_a_meeting_and_is_signed_up_for_one(loaded, db, client):
    person = employee()
    attended = Attendance.objects.select_related("meeting").get(person=person, meeting__in=past())
    assert attended.mark == M.PRESENT
    assert attended.meeting.venue == "Bagterpskolen, personalerummet"
    evidence = Evidence.objects.get(
        person=person, source_reference=f"meeting:{attended.meeting_id}"
    )
    assert evidence.competence.code == SIGNS
    assert evidence.source == Evidence.Source.MEETING

    signed_up = Registration.objects.get(person=person, meeting__in=upcoming())
    assert signed_up.status == R.CONFIRMED
    # They signed up themselves.
    assert signed_up.created_by == person.user

    client.force_login(person.user)
    html = client.get("/mine-kompetencer/").content.decode()
    assert "Kender bekymringstegn" in html
    listing = client.get("/moeder/").content.decode()
    assert signed_up.meeting.title in listing


def test_each_role_sees_the_season(loaded, db):
    coordinator = User.objects.get(email=demo.COORDINATOR_EMAIL)
    assert meeting_access.meetings_in_staff_view(coordinator, season()).count() == 14

    institution = User.objects.get(email="institution@demo.infohus.dk")
    theirs = meeting_access.meetings_in_staff_view(institution, Meeting.objects.all())
    assert {m.institution.code for m in theirs} == {"HJK-HG"}
    assert theirs.filter(pk__in=season(), status=S.PUBLISHED).count() == 1

    department = User.objects.get(email="afdeling@demo.infohus.dk")
    seen = meeting_access.meetings_in_staff_view(department, season())
    assert seen.filter(status__in=(S.HELD, S.CLOSED)).exists()
    assert seen.filter(status=S.PUBLISHED).exists()
    assert not seen.filter(status=S.DRAFT).exists()

    steering = User.objects.get(email="styregruppe@demo.infohus.dk")
    assert meeting_access.meetings_in_staff_view(steering, season()).count() == 13


def test_the_season_uses_the_demo_administrations_police_and_institutions(loaded, db):
    units = set(season().values_list("audience_units__code", flat=True)) | set(
        season().values_list("institution__code", flat=True)
    )
    for prefix in ("HJK-BFU", "HJK-SAEH", "HJK-AU", "HJK-POL", "HJK-HG", "HJK-EUCN"):
        assert any(code and code.startswith(prefix) for code in units), prefix
    assert season().filter(kind=Meeting.Kind.DIALOGUE).exists()
    assert season().filter(kind=Meeting.Kind.INFORMATION).exists()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Meeting,
            Registration,
            Attendance,
            Evidence,
            MeetingRequest,
            CardDistribution,
            ModelLogEntry,
        )
    }


def test_a_second_run_adds_nothing(loaded, db):
    before = counts()

    output = load()

    assert "Nothing to add: the demo data is already loaded." in output
    assert counts() == before


def test_a_deleted_meeting_is_rebuilt_alone_and_the_same(loaded, db):
    """The idempotency rule: a demo meeting is known by its organiser and title. Deleted, it
    comes back (dated relative to the day), with the same people (a fixed seed)."""
    plan = demo.UPCOMING[0]
    meeting = season().get(title=plan.title)
    people = list(
        meeting.registrations.order_by("created_at", "pk").values_list("person", "status")
    )
    CardDistribution.objects.filter(meeting=meeting).delete()
    meeting.delete()
    before = counts()

    result = demo.attendance_demo_load()

    assert result.meetings_created == 1
    assert result.registrations_created == len(people)
    rebuilt = season().get(title=plan.title)
    assert (
        list(rebuilt.registrations.order_by("created_at", "pk").values_list("person", "status"))
        == people
    )
    assert counts()["Meeting"] == before["Meeting"] + 1
    assert len(result.past_meetings) == 8 and len(result.upcoming_meetings) == 6
    assert rebuilt in result.upcoming_meetings


def test_the_coordinator_finds_attendance_sheets_and_a_waiting_list(loaded, db, client, mfa):
    coordinator = mfa(User.objects.get(email=demo.COORDINATOR_EMAIL))
    client.force_login(coordinator)
    assert client.get(reverse("meetings:index")).status_code == 200

    held = past().filter(title=demo.PAST[-1].title).get()
    sheet = client.get(reverse("attendance_admin:sheet", args=(held.pk,)))
    assert sheet.status_code == 200
    someone = held.attendances.filter(mark=M.PRESENT).select_related("person").first().person
    assert someone.name in sheet.content.decode()

    full = upcoming().get(title=demo.UPCOMING[0].title)
    inspect = client.get(reverse("meetings:inspect", args=(full.pk,)))
    assert inspect.status_code == 200
    first_waiting = full.registrations.filter(status=R.WAITING).select_related("person").first()
    assert first_waiting is not None
