"""Deadlines: the acknowledgement and feedback periods an Infohus sets (bounded, defaults), each
case's due dates from its received day, the overdue state on the list and at the top of the
Infohus members' admin home, and the daily reminder: once per case and deadline, a link and the
reference only."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.concerns.models import Concern, ConcernReminder, ConcernSettings
from lms.concerns.services.reminders import concern_reminder_send, concern_reminders_send
from lms.concerns.services.settings import concern_settings_save
from lms.concerns.tasks import send_deadline_reminders

from .builders import concern_make
from .test_steps import advance

pytestmark = pytest.mark.django_db

INDEX = reverse("concerns_admin:index")
HOME = reverse("wagtailadmin_home")


def today():
    return timezone.localdate()


def overdue(case, days=1, deadline="acknowledge"):
    """Move a case's deadline into the past, as if it had been received long ago."""
    field = f"{deadline}_due_on"
    Concern.objects.filter(pk=case.pk).update(**{field: today() - dt.timedelta(days=days)})
    return Concern.objects.get(pk=case.pk)


@pytest.fixture
def case(cast):
    return concern_make(infohus=cast.units["HJ"], kind="partner")


def test_a_case_gets_its_due_dates_from_the_default_periods(case):
    assert case.acknowledge_due_on == today() + dt.timedelta(days=3)
    assert case.feedback_due_on == today() + dt.timedelta(days=30)


def test_a_case_gets_its_due_dates_from_the_periods_its_infohus_set(cast):
    concern_settings_save(
        by=cast.coordinator, infohus=cast.units["HJ"], acknowledge_days=1, feedback_days=14
    )
    case = concern_make(infohus=cast.units["HJ"], kind="partner")
    other = concern_make(infohus=cast.units["FR"], kind="partner")

    assert case.acknowledge_due_on == today() + dt.timedelta(days=1)
    assert case.feedback_due_on == today() + dt.timedelta(days=14)
    # Another municipality keeps the defaults.
    assert other.feedback_due_on == today() + dt.timedelta(days=30)
    entry = ModelLogEntry.objects.get(action="lms.concern_settings.change")
    assert entry.user == cast.coordinator


@pytest.mark.parametrize(
    ("acknowledge", "feedback", "field"),
    [
        (0, 30, "acknowledge_days"),
        (31, 60, "acknowledge_days"),
        (3, 181, "feedback_days"),
        (10, 5, "feedback_days"),
        ("3", 30, "acknowledge_days"),
        (True, 30, "acknowledge_days"),
    ],
)
def test_periods_out_of_range_are_refused_and_nothing_changes(cast, acknowledge, feedback, field):
    with pytest.raises(ValidationError) as error:
        concern_settings_save(
            by=cast.coordinator,
            infohus=cast.units["HJ"],
            acknowledge_days=acknowledge,
            feedback_days=feedback,
        )
    assert field in error.value.message_dict
    assert not ConcernSettings.objects.exists()


@pytest.mark.parametrize(
    "who", ["ssp", "police", "contact", "steering", "other_coordinator", "superuser", "employee"]
)
def test_only_the_infohus_coordinators_set_the_periods(client, cast, intake_site, who):
    user = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        concern_settings_save(
            by=user, infohus=cast.units["HJ"], acknowledge_days=1, feedback_days=2
        )
    client.force_login(user)
    url = reverse("concerns_admin:deadlines_edit", args=(cast.units["HJ"].pk,))
    response = client.post(url, {"acknowledge_days": 1, "feedback_days": 2})
    assert response.status_code in (302, 403)
    assert not ConcernSettings.objects.exists()


def test_a_coordinator_sets_the_periods_in_the_admin(client, cast, intake_site):
    client.force_login(cast.coordinator)
    settings_page = client.get(reverse("concerns_admin:settings_index")).content.decode()
    assert "inden for 3 dage" in settings_page and "inden for 30 dage" in settings_page
    url = reverse("concerns_admin:deadlines_edit", args=(cast.units["HJ"].pk,))

    bad = client.post(url, {"acknowledge_days": 20, "feedback_days": 10})
    assert bad.status_code == 400 and not ConcernSettings.objects.exists()
    assert "kortere end fristen for kvittering" in bad.content.decode()
    assert client.post(url, {"acknowledge_days": "x", "feedback_days": ""}).status_code == 400

    assert client.post(url, {"acknowledge_days": 2, "feedback_days": 21}).status_code == 302
    row = ConcernSettings.objects.get()
    assert (row.infohus, row.acknowledge_days, row.feedback_days) == (cast.units["HJ"], 2, 21)


def test_the_list_marks_filters_and_sorts_overdue_cases(client, cast, case):
    late = overdue(concern_make(infohus=cast.units["HJ"], kind="partner"), days=2)
    client.force_login(cast.coordinator)

    html = client.get(INDEX).content.decode()
    assert html.count("data-overdue") == 1

    only = client.get(INDEX, {"status": "overdue"}).context["page"].object_list
    assert [c.pk for c in only] == [late.pk]
    by_due = client.get(INDEX, {"status": "open", "sort": "due"}).context["page"].object_list
    assert [c.pk for c in by_due] == [late.pk, case.pk]
    newest = client.get(INDEX, {"sort": "nonsense"}).context["page"].object_list
    assert [c.pk for c in newest] == [late.pk, case.pk]

    # Acknowledged (the first step recorded): no longer overdue on that deadline.
    advance(late, cast.coordinator, "leader_informed", leader_informed_on=today())
    assert not list(client.get(INDEX, {"status": "overdue"}).context["page"].object_list)
    # The feedback deadline still counts until feedback is given.
    overdue(late, deadline="feedback")
    assert len(client.get(INDEX, {"status": "overdue"}).context["page"].object_list) == 1


def test_the_list_keeps_the_filter_and_sort_from_page_to_page(client, cast, monkeypatch):
    from lms.concerns.viewsets import cases as viewset

    monkeypatch.setattr(viewset, "PER_PAGE", 1)
    for _n in range(2):
        concern_make(infohus=cast.units["HJ"], kind="partner")
    client.force_login(cast.coordinator)
    html = client.get(INDEX, {"status": "open", "sort": "due"}).content.decode()
    assert "?status=open&amp;sort=due&amp;p=2" in html


def test_overdue_cases_head_the_infohus_members_admin_home(client, cast, case):
    late = overdue(case, days=4)
    client.force_login(cast.coordinator)

    response = client.get(HOME)
    panels = response.context["panels"]
    assert panels[0].name == "overdue_concerns"
    html = response.content.decode()
    assert late.reference in html and "Bekymringer over fristen" in html
    assert "Karl Hemmelig" not in html and "hellig krig" not in html

    # Another municipality's coordinator has their own (empty) list; no panel for the others.
    client.force_login(cast.other_coordinator)
    html = client.get(HOME).content.decode()
    assert late.reference not in html and "Ingen bekymringer er over fristen." in html
    for who in ("superuser", "steering"):
        client.force_login(getattr(cast, who))
        html = client.get(HOME).content.decode()
        assert late.reference not in html and "Bekymringer over fristen" not in html

    # A department contact keeps their count only: no overdue list, no reference.
    client.force_login(cast.contact)
    html = client.get(HOME).content.decode()
    assert late.reference not in html and "Bekymringer over fristen" not in html


def test_the_admin_home_says_when_nothing_is_overdue(client, cast, case):
    client.force_login(cast.ssp)
    html = client.get(HOME).content.decode()
    assert "Ingen bekymringer er over fristen." in html and case.reference not in html


def test_the_reminder_goes_once_per_case_and_deadline_with_a_link_and_the_reference(
    cast, case, sent
):
    overdue(case, days=0)  # due today
    mail.outbox.clear()
    with sent():
        assert concern_reminders_send() == [(case.pk, "acknowledge")]

    assert sorted(m.to[0] for m in mail.outbox) == ["tovholder@example.dk"]
    message = mail.outbox[0]
    assert case.reference in message.subject and case.reference in message.body
    assert f"/admin/concerns/{case.pk}/" in message.body
    for secret in ("Karl Hemmelig", "hellig krig", "Per Partner", "Boligselskabet"):
        assert secret not in message.subject + message.body

    # Again, or by the task: nothing more for that deadline.
    with sent():
        assert concern_reminders_send() == []
        assert send_deadline_reminders() == 0
    assert len(mail.outbox) == 1
    assert ModelLogEntry.objects.filter(action="lms.concern.remind").count() == 1

    # The feedback deadline is reminded on its own, once.
    overdue(case, deadline="feedback")
    with sent():
        assert concern_reminders_send() == [(case.pk, "feedback")]
        assert concern_reminders_send() == []
    assert len(mail.outbox) == 2
    assert ConcernReminder.objects.filter(concern=case).count() == 2


def test_no_reminder_for_a_deadline_not_yet_due_or_already_met(cast, case, sent):
    mail.outbox.clear()
    with sent():
        assert concern_reminders_send() == []
        assert not concern_reminder_send(concern_id=case.pk, deadline="acknowledge")
    overdue(case)
    advance(case, cast.coordinator, "leader_informed", leader_informed_on=today())
    with sent():
        assert concern_reminders_send() == []
        assert not concern_reminder_send(concern_id=case.pk, deadline="bogus")
        assert not concern_reminder_send(concern_id=0, deadline="acknowledge")
    assert mail.outbox == [] and not ConcernReminder.objects.exists()


def test_a_citizens_case_reminds_its_route_not_another_municipality(cast, sent):
    case = overdue(concern_make(infohus=cast.units["HJ"], kind="citizen", age_group="adult"))
    # Frederikshavn has no police representative: its coordinators are reminded instead.
    other = overdue(concern_make(infohus=cast.units["FR"], kind="citizen", age_group="adult"))
    mail.outbox.clear()
    with sent():
        concern_reminders_send()
    by_case = {m.to[0]: m.subject for m in mail.outbox}
    assert sorted(by_case) == ["fr@example.dk", "politi@example.dk"]
    assert case.reference in by_case["politi@example.dk"]
    assert other.reference in by_case["fr@example.dk"]


def test_a_failed_mail_releases_the_claim(cast, case, monkeypatch, sent):
    from lms.concerns.emails import intake as emails

    overdue(case)

    def broken(**kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr(emails, "reminder_send", broken)
    with pytest.raises(OSError), sent():
        concern_reminders_send()
    assert not ConcernReminder.objects.exists()


def test_reminders_refuse_a_moment_in_the_future(case):
    with pytest.raises(ValueError):
        concern_reminders_send(now=timezone.now() + dt.timedelta(days=1))
