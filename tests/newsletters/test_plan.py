"""The plan: two editions a year. When each half-year's edition is due (1 April and 1 October
unless the Infohus says otherwise), what covers it (a send scheduled or sent within the half), the
reminder to the coordinators of that Infohus only, once per due date however often the daily
task runs, and the admin's "Næste nyhedsbrev" for coordinators only."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.utils import timezone
from wagtail.models import Page

from lms.people.models import Role
from lms.site.models import HomePage
from lms.site.services.pages import site_seed
from newsletters import tasks
from newsletters.models import EditionPlan, EditionReminder, NewsletterIndexPage, Send
from newsletters.selectors.plans import edition_dues, edition_next, infohus_units
from newsletters.services import plans as plan_services
from newsletters.services import sends as send_services
from tests.factories import UserFactory, wagtail_roots_ensure

from .conftest import edition_make

pytestmark = pytest.mark.django_db

D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def sites(tree):
    """Hjørring's site (with its newsletter archive) and Frederikshavn's home page."""
    wagtail_roots_ensure()  # after an earlier transactional test's flush (the thread test)
    site_seed(
        infohus_name="Infohus Hjørring", organisation_name="Hjørring Kommune", org_unit=tree["HJ"]
    )
    HomePage.objects.filter(org_unit__isnull=True).update(org_unit=tree["HJ"])
    edition = edition_make()
    Page.get_first_root_node().add_child(
        instance=HomePage(title="Infohus Frederikshavn", slug="fr", org_unit=tree["FR"])
    )
    return edition


@pytest.fixture
def people(sites, tree, make_staff):
    return {
        "hj": make_staff(Role.COORDINATOR, tree["HJ"], email="tovholder@hj.dk"),
        "hj2": make_staff(Role.COORDINATOR, tree["HJ"], email="ssp@hj.dk"),
        "fr": make_staff(Role.COORDINATOR, tree["FR"], email="tovholder@fr.dk"),
        "steering": make_staff(Role.STEERING_GROUP, tree["HJ"], email="styregruppe@hj.dk"),
        "contact": make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"], email="bfu@hj.dk"),
        "admin": UserFactory(is_superuser=True, email="admin@example.dk"),
    }


def send_at(edition, unit, day, *, status=Send.Status.SCHEDULED, urgent=False) -> Send:
    send = send_services.send_create(
        edition=edition, org_unit=unit, audience_units=[unit], by=None, urgent=urgent
    )
    if status == Send.Status.DRAFT:
        return send
    Send.objects.filter(pk=send.pk).update(
        status=status,
        scheduled_at=at(day),
        started_at=at(day) if status in (Send.Status.SENT, Send.Status.SENDING) else None,
    )
    return Send.objects.get(pk=send.pk)


def test_the_defaults_are_1_april_and_1_october_reminded_4_weeks_before(tree):
    spring, autumn = edition_dues(unit=tree["HJ"], today=D(2027, 2, 10))
    assert (spring.due_on, spring.remind_on) == (D(2027, 4, 1), D(2027, 3, 4))
    assert (autumn.due_on, autumn.remind_on) == (D(2027, 10, 1), D(2027, 9, 3))
    assert (spring.half_start, spring.half_end) == (D(2027, 1, 1), D(2027, 7, 1))
    # In the autumn half, the next is next spring's.
    autumn, spring = edition_dues(unit=tree["HJ"], today=D(2027, 12, 31))
    assert (autumn.due_on, spring.due_on) == (D(2027, 10, 1), D(2028, 4, 1))


@pytest.mark.parametrize(
    "today,due",
    [
        (D(2027, 3, 3), False),  # the day before the reminder day
        (D(2027, 3, 4), True),  # four weeks before
        (D(2027, 4, 1), True),  # the due date itself
        (D(2027, 4, 2), False),  # too late to remind: overdue instead
    ],
)
def test_the_reminder_window_runs_from_the_reminder_day_to_the_due_date(tree, today, due):
    spring = edition_dues(unit=tree["HJ"], today=today)[0]
    assert spring.reminder_due(today) is due
    assert spring.overdue(today) is (today > D(2027, 4, 1))


def test_an_infohus_sets_its_own_months_and_weeks(tree):
    EditionPlan.objects.create(
        org_unit=tree["HJ"], first_due_month=1, second_due_month=8, reminder_weeks=6
    )
    autumn, spring = edition_dues(unit=tree["HJ"], today=D(2027, 11, 20))
    assert (autumn.due_on, spring.due_on) == (D(2027, 8, 1), D(2028, 1, 1))
    # January's edition is reminded in December, from the half before.
    assert spring.remind_on == D(2027, 11, 20)
    assert spring.reminder_due(D(2027, 11, 20))
    # Another Infohus keeps the defaults.
    assert edition_dues(unit=tree["FR"], today=D(2027, 11, 20))[0].due_on == D(2027, 10, 1)


def test_the_plan_refuses_months_outside_their_half(tree):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        EditionPlan.objects.create(org_unit=tree["HJ"], first_due_month=8)


def test_a_send_scheduled_or_sent_within_the_half_covers_it(sites, tree):
    hj = tree["HJ"]
    today = D(2027, 3, 10)
    assert not edition_dues(unit=hj, today=today)[0].covered
    # Not covering: a draft, a cancelled send, an urgent message, another Infohus's send, and a
    # send in the next half.
    send_at(sites, hj, D(2027, 3, 20), status=Send.Status.DRAFT)
    send_at(sites, hj, D(2027, 3, 20), status=Send.Status.CANCELLED)
    send_at(sites, hj, D(2027, 3, 20), urgent=True)
    send_at(sites, tree["FR"], D(2027, 3, 20))
    later = send_at(sites, hj, D(2027, 7, 1))
    spring, autumn = edition_dues(unit=hj, today=today)
    assert not spring.covered
    assert autumn.send == later
    assert edition_next(unit=hj, today=today) == spring
    scheduled = send_at(sites, hj, D(2027, 6, 30))  # late, but within the half
    spring, _autumn = edition_dues(unit=hj, today=today)
    assert spring.send == scheduled and not spring.reminder_due(today)
    # Both halves covered: the next is the autumn's, with its send.
    assert edition_next(unit=hj, today=today).send == later


def test_a_sent_edition_covers_its_half(sites, tree):
    send_at(sites, tree["HJ"], D(2027, 1, 5), status=Send.Status.SENT)
    spring = edition_dues(unit=tree["HJ"], today=D(2027, 3, 10))[0]
    assert spring.covered and spring.send.status == Send.Status.SENT


def test_the_infohus_units_are_the_sites_units(sites, tree):
    assert infohus_units() == [tree["FR"], tree["HJ"]]


def reminded(outbox) -> dict[str, str]:
    return {message.to[0]: message for message in outbox}


def test_the_coordinators_of_each_infohus_are_reminded_once(
    people, tree, django_capture_on_commit_callbacks
):
    mail.outbox = []
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            plan_services.edition_reminders_send(today=D(2027, 3, 10))
    got = reminded(mail.outbox)
    # The coordinators only: not the steering group, a department contact or a superuser.
    assert sorted(got) == ["ssp@hj.dk", "tovholder@fr.dk", "tovholder@hj.dk"]
    assert len(mail.outbox) == 3
    message = got["tovholder@hj.dk"]
    assert message.subject == "Næste nyhedsbrev skal sendes senest 1. april 2027"
    assert "for foråret 2027 hos HJ Kommune" in message.body
    assert "fordi du er tovholder for HJ Kommune" in message.body
    index = NewsletterIndexPage.objects.get()
    assert f"{settings.LMS_BASE_URL}/admin/pages/{index.pk}/" in message.body
    # Frederikshavn's coordinator hears of Frederikshavn, and has no archive yet: the admin.
    assert "hos FR Kommune" in got["tovholder@fr.dk"].body
    assert f"{settings.LMS_BASE_URL}/admin/\n" in got["tovholder@fr.dk"].body
    assert EditionReminder.objects.count() == 2
    # The next day changes nothing either.
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.edition_reminders_send(today=D(2027, 3, 11)) == []
    assert len(mail.outbox) == 3


def test_no_reminder_when_the_half_is_covered_or_before_the_window(
    people, sites, tree, django_capture_on_commit_callbacks
):
    send_at(sites, tree["HJ"], D(2027, 3, 25))
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.edition_reminders_send(today=D(2027, 3, 3)) == []
        done = plan_services.edition_reminders_send(today=D(2027, 3, 4))
    assert done == [(tree["FR"].pk, D(2027, 4, 1))]
    assert sorted(reminded(mail.outbox)) == ["tovholder@fr.dk"]


def test_a_failed_mail_releases_the_claim_for_the_next_run(
    people, tree, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr(plan_services, "plan_reminder_send", broken)
    with pytest.raises(ConnectionError):
        with django_capture_on_commit_callbacks(execute=True):
            plan_services.edition_reminder_send(
                unit_id=tree["HJ"].pk, due_on=D(2027, 4, 1), today=D(2027, 3, 10)
            )
    assert not EditionReminder.objects.exists()
    monkeypatch.undo()
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.edition_reminder_send(
            unit_id=tree["HJ"].pk, due_on=D(2027, 4, 1), today=D(2027, 3, 10)
        )
    assert len(mail.outbox) == 2


def test_the_daily_task_sends_the_due_reminders(
    people, tree, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(plan_services.timezone, "localdate", lambda *a, **k: D(2027, 9, 20))
    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_plan_reminders() == 2
        assert tasks.send_plan_reminders() == 0
    assert mail.outbox[0].subject == "Næste nyhedsbrev skal sendes senest 1. oktober 2027"
    assert "newsletters-send-plan-reminders" in settings.CELERY_BEAT_SCHEDULE


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Real concurrent writers need PostgreSQL (SQLite serialises its writers).",
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_remind_once(people, tree):
    threads, errors = 4, []
    barrier = threading.Barrier(threads)
    mail.outbox = []

    def work():
        try:
            barrier.wait()
            plan_services.edition_reminders_send(today=D(2027, 3, 10))
        except Exception as exc:  # any error fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert EditionReminder.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "ssp@hj.dk",
        "tovholder@fr.dk",
        "tovholder@hj.dk",
    ]


# --- The admin ----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, mfa):
    def login(user):
        client.force_login(mfa(user))
        return client

    return login


def test_coordinators_see_when_the_next_newsletter_is_due_on_the_admin_home(people, admin_client):
    html = admin_client(people["hj"]).get("/admin/").content.decode()
    assert "Næste nyhedsbrev" in html
    assert (
        "skal sendes senest" in html or "skulle have været sendt" in html or "planlagt til" in html
    )
    assert "FR Kommune" not in html


@pytest.mark.parametrize("who", ["steering", "contact"])
def test_others_do_not_see_the_plan(people, admin_client, who):
    html = admin_client(people[who]).get("/admin/").content.decode()
    assert "Næste nyhedsbrev" not in html


def test_the_newsletter_archive_shows_the_plan_to_its_coordinators(people, admin_client):
    from lms.site.services.editors import editor_groups_sync

    editor_groups_sync()
    index = NewsletterIndexPage.objects.get()
    response = admin_client(people["hj"]).get(f"/admin/pages/{index.pk}/edit/")
    assert response.status_code == 200
    assert "Næste nyhedsbrev" in response.content.decode()


def test_a_coordinator_sets_their_infohus_plan(people, tree, admin_client):
    client = admin_client(people["hj"])
    url = f"/admin/newsletter-plan/{tree['HJ'].pk}/"
    assert client.get("/admin/").content.decode().count(url) == 1
    page = client.get(url)
    assert page.status_code == 200
    assert "Plan for nyhedsbreve" in page.content.decode()
    data = {"first_due_month": "3", "second_due_month": "9", "reminder_weeks": "6"}
    assert client.post(url, data).status_code == 302
    plan = EditionPlan.objects.get(org_unit=tree["HJ"])
    assert (plan.first_due_month, plan.second_due_month, plan.reminder_weeks) == (3, 9, 6)
    spring = edition_dues(unit=tree["HJ"], today=D(2027, 1, 10))[0]
    assert (spring.due_on, spring.remind_on) == (D(2027, 3, 1), D(2027, 1, 18))


def test_a_plan_out_of_range_is_refused_and_nothing_changes(people, tree, admin_client):
    client = admin_client(people["hj"])
    url = f"/admin/newsletter-plan/{tree['HJ'].pk}/"
    response = client.post(
        url, {"first_due_month": "8", "second_due_month": "3", "reminder_weeks": "40"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Marker en gyldig valgmulighed" in html
    assert not EditionPlan.objects.exists()


def test_the_service_refuses_bad_values_and_strangers(people, tree):
    from django.core.exceptions import ValidationError

    values = {"first_due_month": 4, "second_due_month": 10, "reminder_weeks": 4}
    with pytest.raises(ValidationError) as bad:
        plan_services.edition_plan_save(
            org_unit=tree["HJ"], **{**values, "second_due_month": 5}, by=people["hj"]
        )
    assert "second_due_month" in bad.value.message_dict
    with pytest.raises(ValidationError):
        plan_services.edition_plan_save(org_unit=tree["HJ"], **values, by=people["fr"])
    assert not EditionPlan.objects.exists()


@pytest.mark.parametrize("who", ["fr", "steering", "contact"])
def test_others_may_not_set_an_infohus_plan(people, tree, admin_client, who):
    client = admin_client(people[who])
    url = f"/admin/newsletter-plan/{tree['HJ'].pk}/"
    data = {"first_due_month": "3", "second_due_month": "9", "reminder_weeks": "6"}
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, data).status_code in (302, 403)
    assert not EditionPlan.objects.exists()


def test_the_panel_says_in_danish_what_is_due_scheduled_sent_or_late(sites, tree):
    from django.utils import translation

    from newsletters.panels import due_line

    hj = tree["HJ"]
    with translation.override("da"):
        spring, autumn = edition_dues(unit=hj, today=D(2027, 3, 31))
        assert due_line(spring, D(2027, 3, 31)) == (
            "Foråret 2027: skal sendes senest 1. april 2027 (om 1 dag), "
            "ingen udsendelse er planlagt endnu."
        )
        assert due_line(spring, D(2027, 4, 2)) == (
            "Foråret 2027: skulle have været sendt senest 1. april 2027, "
            "og ingen udsendelse er planlagt."
        )
        send_at(sites, hj, D(2027, 3, 20), status=Send.Status.SENT)
        send_at(sites, hj, D(2027, 9, 15))
        spring, autumn = edition_dues(unit=hj, today=D(2027, 3, 31))
        assert due_line(spring, D(2027, 3, 31)) == "Foråret 2027: sendt 20. marts 2027."
        autumn_line = due_line(autumn, D(2027, 3, 31))
        assert autumn_line == "Efteråret 2027: planlagt til 15. september 2027."
