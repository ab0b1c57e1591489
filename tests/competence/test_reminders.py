"""Recertification reminders: 60 and 30 days before, the manager after expiry; each once, to the
right people only, however often the task runs (the ExpiryReminder ledger)."""

import datetime as dt
import threading

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import connection, connections
from django.utils import timezone

from lms.competence import tasks
from lms.competence.emails import reminders as reminder_emails
from lms.competence.models import Evidence, ExpiryReminder
from lms.competence.selectors import reminders as reminder_selectors
from lms.competence.services import evidence as services
from lms.competence.services import reminders
from tests.factories import CompetenceFactory, PersonFactory, UserFactory

MEETING = Evidence.Source.MEETING
K = ExpiryReminder.Kind


def today():
    return timezone.localdate()


def evidence_expiring(person, competence, *, in_days: int, ref: str = "meeting:1") -> Evidence:
    """Evidence whose last valid day is `in_days` from today (negative: in the past)."""
    expires_on = today() + dt.timedelta(days=in_days)
    achieved_on = services.add_months(expires_on, -competence.validity_months)
    evidence = services.evidence_record(
        person=person,
        competence=competence,
        source=MEETING,
        source_reference=ref,
        achieved_on=achieved_on,
    )
    # add_months clips month ends: pin the exact day the test is about.
    Evidence.objects.filter(pk=evidence.pk).update(expires_on=expires_on)
    evidence.refresh_from_db()
    return evidence


@pytest.fixture
def boss(tree, jobs):
    person = PersonFactory(name="Mona Leder", org_unit=tree["HJ-SKOLE"], job_category=jobs["admin"])
    user = UserFactory(email=person.email)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    person.user = user
    person.save(update_fields=["user"])
    return person


@pytest.fixture
def employee(tree, jobs, boss):
    return PersonFactory(
        name="Anna Andersen",
        email="anna@example.dk",
        org_unit=tree["HJ-SKOLE"],
        job_category=jobs["teacher"],
        manager=boss,
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run() -> how many mails one run of the daily task sent. The mails go out on commit: the
    callbacks run as the task's own transaction commits."""

    def once() -> int:
        sent_before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.send_expiry_reminders()
        return len(mail.outbox) - sent_before

    return once


# --- Who is told what, when ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("in_days", "kind"),
    [
        (61, None),
        (60, K.DAYS_60),
        (31, K.DAYS_60),
        (30, K.DAYS_30),
        (0, K.DAYS_30),
        (-1, K.EXPIRED_MANAGER),
        (-reminder_selectors.EXPIRED_WINDOW_DAYS, K.EXPIRED_MANAGER),
        (-reminder_selectors.EXPIRED_WINDOW_DAYS - 1, None),
    ],
)
def test_kind_for(in_days, kind):
    assert reminder_selectors.kind_for(today() + dt.timedelta(days=in_days), today()) == kind


def test_sixty_days_before_the_person_is_told_once(required, employee, signs, run):
    evidence = evidence_expiring(employee, signs, in_days=60)
    assert run() == 1
    message = mail.outbox[-1]
    assert message.to == ["anna@example.dk"]
    expires = reminder_emails._date(evidence.expires_on)
    assert "Kender bekymringstegn" in message.subject and expires in message.subject
    assert "Kære Anna Andersen" in message.body
    assert "/laering/" in message.body and "/moeder/" in message.body
    html = message.alternatives[0][0]
    assert 'lang="da"' in html and "Kender bekymringstegn" in html
    assert ExpiryReminder.objects.get().kind == K.DAYS_60

    # Every later run that day (and the days until the 30-day window) sends nothing.
    assert run() == 0
    assert run() == 0
    assert ExpiryReminder.objects.count() == 1


def test_thirty_days_before_after_the_sixty_day_reminder(required, employee, signs, run):
    evidence = evidence_expiring(employee, signs, in_days=45)
    assert run() == 1
    Evidence.objects.filter(pk=evidence.pk).update(expires_on=today() + dt.timedelta(days=30))
    assert run() == 1
    assert run() == 0
    assert sorted(ExpiryReminder.objects.values_list("kind", flat=True)) == [
        K.DAYS_30,
        K.DAYS_60,
    ]


def test_expired_tells_the_manager_only_the_name_and_the_competence(
    required, employee, signs, boss, run
):
    evidence = evidence_expiring(employee, signs, in_days=-1)
    assert run() == 1
    message = mail.outbox[-1]
    assert message.to == [boss.user.email]
    assert "Anna Andersen" in message.subject and "Kender bekymringstegn" in message.subject
    assert "Kære Mona Leder" in message.body
    assert reminder_emails._date(evidence.expires_on) in message.body
    assert "/laering/team/" in message.body
    for private in ("anna@example.dk", employee.employee_number, employee.org_unit.name):
        assert private not in message.body and private not in message.alternatives[0][0]
    assert run() == 0


def test_no_manager_no_expiry_mail(required, employee, signs, run):
    employee.manager = None
    employee.save()
    evidence_expiring(employee, signs, in_days=-3)
    assert run() == 0
    assert not ExpiryReminder.objects.exists()


@pytest.mark.parametrize("gone", ["left", "no_account", "account_inactive"])
def test_a_manager_who_cannot_be_reached_is_not_mailed(required, employee, signs, boss, gone, run):
    if gone == "left":
        boss.active, boss.left_on = False, today()
        boss.save()
    elif gone == "no_account":
        boss.user = None
        boss.save()
    else:
        boss.user.is_active = False
        boss.user.save()
    evidence_expiring(employee, signs, in_days=-3)
    assert run() == 0


# --- Who is never told ---------------------------------------------------------------------------


def test_people_who_left_get_nothing(required, employee, signs, run):
    evidence_expiring(employee, signs, in_days=30)
    employee.active, employee.left_on = False, today()
    employee.save()
    assert run() == 0
    assert not ExpiryReminder.objects.exists()


def test_anonymised_people_get_nothing(required, employee, signs, run):
    evidence_expiring(employee, signs, in_days=30)
    employee.active, employee.left_on, employee.anonymised_at = False, today(), timezone.now()
    employee.save()
    assert run() == 0


def test_voided_evidence_gets_nothing(required, employee, signs, run):
    evidence = evidence_expiring(employee, signs, in_days=30)
    services.evidence_void(evidence=evidence, reason="Fejlregistrering")
    assert run() == 0


def test_renewed_evidence_gets_no_reminder_for_the_old_row(required, employee, signs, run):
    evidence_expiring(employee, signs, in_days=20, ref="meeting:old")
    # Renewed: a new course completion today, valid two more years.
    services.evidence_record(
        person=employee,
        competence=signs,
        source=Evidence.Source.COURSE,
        source_reference="course-completion:1",
        achieved_on=today(),
    )
    assert run() == 0


def test_a_competence_that_is_not_required_gets_nothing(required, employee, run):
    optional = CompetenceFactory(code="OPTIONAL", name="Valgfri", validity_months=12)
    evidence_expiring(employee, optional, in_days=30)
    assert run() == 0


def test_a_requirement_for_another_job_category_gets_nothing(
    required, tree, jobs, signs, boss, run
):
    pedagogue_only = PersonFactory(
        org_unit=tree["FR-SKOLE"], job_category=jobs["pedagogue"], manager=boss
    )  # FR requires signs of teachers only
    evidence_expiring(pedagogue_only, signs, in_days=30)
    assert run() == 0


def test_an_inactive_competence_gets_nothing(required, employee, signs, run):
    evidence_expiring(employee, signs, in_days=30)
    signs.active = False
    signs.save()
    assert run() == 0


def test_a_long_expired_evidence_does_not_mail_the_manager(required, employee, signs, run):
    evidence_expiring(employee, signs, in_days=-400)
    assert run() == 0


def test_reminder_send_rechecks_what_is_due(required, employee, signs):
    evidence = evidence_expiring(employee, signs, in_days=30)
    # Due when the beat task looked; voided before the per-reminder task ran.
    services.evidence_void(evidence=evidence, reason="Fejlregistrering")
    assert not reminders.reminder_send(evidence_id=evidence.pk, kind=K.DAYS_30)
    # And a reminder of the wrong kind for its date is never sent.
    assert not reminders.reminder_send(evidence_id=evidence.pk, kind=K.DAYS_60)
    assert mail.outbox == []


def test_a_failed_send_releases_the_claim(required, employee, signs, monkeypatch, run):
    evidence_expiring(employee, signs, in_days=30)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with pytest.raises(ConnectionRefusedError):
        run()
    assert not ExpiryReminder.objects.exists()
    monkeypatch.undo()
    assert run() == 1


def test_due_reads_a_fixed_number_of_queries(required, tree, jobs, signs, boss, assert_queries):
    for number in range(20):
        person = PersonFactory(
            org_unit=tree["HJ-SKOLE"], job_category=jobs["teacher"], manager=boss
        )
        evidence_expiring(person, signs, in_days=number * 5 - 20, ref=f"meeting:{number}")
    due = assert_queries(5, reminder_selectors.reminders_due)
    assert len(due) == 17  # -20 .. 60 days in steps of 5


# --- Concurrency ---------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Real concurrent writers need PostgreSQL (SQLite serialises its writers).",
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # no serialized_rollback: see test_policy_and_races
def test_two_concurrent_runs_send_each_reminder_once(tree, jobs, signs, required, boss):
    people = [
        PersonFactory(org_unit=tree["HJ-SKOLE"], job_category=jobs["teacher"], manager=boss)
        for _ in range(5)
    ]
    for number, person in enumerate(people):
        evidence_expiring(person, signs, in_days=(-2, 10, 45)[number % 3], ref=f"m:{number}")
    threads, errors = 4, []
    barrier = threading.Barrier(threads)
    mail.outbox = []

    def work():
        try:
            due = reminder_selectors.reminders_due()
            barrier.wait()
            for evidence_id, kind in due:
                reminders.reminder_send(evidence_id=evidence_id, kind=kind)
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
    assert ExpiryReminder.objects.count() == 5
    assert len(mail.outbox) == 5
