"""The coordinators' sends admin ("Nyhedsbreve"): who sees and does what, the audience before
sending, the mail preview, the actions, the progress JSON, the delivery report's downloads, and
query counts that do not grow with the number of sends or deliveries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.people.models import Role
from newsletters.emails.editions import edition_render
from newsletters.models import BouncingAddress, Delivery, Send
from newsletters.services import deliveries
from newsletters.services import sends as send_services
from tests.factories import JobCategoryFactory, PersonFactory, UserFactory

from .conftest import edition_make

S = Send.Status
D = Delivery.Status
pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"newsletter_sends:{name}", args=args)


def refused(response) -> bool:
    """Wagtail answers PermissionDenied in its admin with a redirect to the admin home."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


@pytest.fixture
def cast(make_staff, tree, mfa):
    def staff(role, unit):
        return mfa(make_staff(role, unit))

    employee = UserFactory()
    PersonFactory(org_unit=tree["HJ-GYM"], user=employee, email=employee.email)
    return {
        "coordinator": staff(Role.COORDINATOR, tree["HJ"]),
        "other": staff(Role.COORDINATOR, tree["FR"]),
        "steering": staff(Role.STEERING_GROUP, tree["HJ"]),
        "contact": staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"]),
        "employee": employee,
    }


@pytest.fixture
def login(client, cast):
    def as_(who):
        client.force_login(cast[who])
        return client

    return as_


def sent_send(make_send, cast, staff, *, failed=(), smtp=None):
    """A send of HJ, started and delivered by the engine over a fake SMTP connection."""
    send = make_send(by=cast["coordinator"], start=True)
    connection = smtp or FakeConnection({a: OSError("down") for a in failed})
    deliveries.deliveries_send_batch(send_id=send.pk, connection=connection)
    send.refresh_from_db()
    return send


class FakeConnection:
    def __init__(self, answers=None):
        self.answers = answers or {}

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        for message in messages:
            if message.to[0] in self.answers:
                raise self.answers[message.to[0]]
        return len(messages)


# --- Who may ------------------------------------------------------------------------------------


def test_the_coordinator_sees_the_list_with_counts_and_the_menu(login, make_send, staff, cast):
    send = make_send(by=cast["coordinator"], start=True)
    client = login("coordinator")
    html = client.get(url("index")).content.decode()
    assert url("item", send.pk) in html
    assert "Forår 2027" in html and "HJ Kommune" in html
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert url("index") in home
    # The panel on the home page shows the running send with its progress.
    assert "newsletter_sends" in home and "<progress" in home


def test_another_municipality_neither_sees_nor_acts(login, make_send, staff, cast):
    send = make_send(by=cast["coordinator"])
    client = login("other")
    assert url("item", send.pk) not in client.get(url("index")).content.decode()
    for name in (
        "item",
        "edit",
        "preview",
        "preview_html",
        "progress",
        "schedule",
        "start",
        "cancel",
        "ledger",
        "export_csv",
        "export_xlsx",
    ):
        assert client.get(url(name, send.pk)).status_code == 404, name
    for name in ("start", "pause", "resume", "cancel", "retry"):
        assert client.post(url(name, send.pk)).status_code == 404, name
    send.refresh_from_db()
    assert send.status == S.DRAFT
    assert not Delivery.objects.exists()


def test_the_steering_group_sees_counts_but_no_names_ledger_or_actions(
    login, make_send, staff, cast, tree
):
    PersonFactory(org_unit=tree["HJ-SKOLE"], name="Uden Adresse", email="")
    draft = make_send(by=cast["coordinator"])
    client = login("steering")
    html = client.get(url("item", draft.pk)).content.decode()
    assert "3 personer modtager mailen" in html
    assert "Ingen e-mailadresse: 1" in html
    assert "Uden Adresse" not in html
    for name in ("edit", "schedule", "start", "cancel"):
        assert url(name, draft.pk) not in html
        assert refused(client.get(url(name, draft.pk))), name
    started = sent_send(make_send, cast, staff)
    html = client.get(url("item", started.pk)).content.decode()
    assert url("ledger", started.pk) not in html
    for name in ("ledger", "export_csv", "export_xlsx"):
        assert refused(client.get(url(name, started.pk))), name
    assert client.get(url("progress", started.pk)).json()["sent"] == 3
    assert refused(client.post(url("preview", draft.pk), {"addresses": "a@b.dk"}))
    assert mail.outbox == []


@pytest.mark.parametrize("who", ["contact", "employee"])
def test_department_contacts_and_employees_are_refused(login, make_send, cast, who):
    send = make_send(by=cast["coordinator"])
    client = login(who)
    response = client.get(url("index"))
    if who == "employee":
        # No staff role: the admin itself sends them to the front page.
        assert response.status_code == 302
    else:
        assert refused(response)
        assert refused(client.get(url("create")))
    assert client.get(url("item", send.pk)).status_code in (302, 404)
    home = client.get(reverse("wagtailadmin_home"), follow=True).content.decode()
    assert url("index") not in home


# --- Create and edit a draft --------------------------------------------------------------------


def test_a_coordinator_creates_a_draft_and_sees_who_it_reaches_and_who_is_skipped(
    login, edition, staff, cast, tree
):
    PersonFactory(org_unit=tree["HJ-SKOLE"], name="Uden Adresse", email="")
    PersonFactory(
        org_unit=tree["HJ-SKOLE"],
        name="Har Forladt",
        email="gone@hj.dk",
        active=False,
        left_on=dt.date(2026, 1, 1),
    )
    BouncingAddress.objects.create(email="kontor@hj.dk", smtp_code=550, bounced_at=timezone.now())
    client = login("coordinator")
    form = client.get(url("create") + f"?edition={edition.pk}").content.decode()
    assert "HJ Skole" in form and "FR Skole" not in form
    response = client.post(
        url("create"),
        {"edition": edition.pk, "org_unit": tree["HJ"].pk, "audience_units": [tree["HJ"].pk]},
    )
    send = Send.objects.get()
    assert response.status_code == 302 and response.url == url("item", send.pk)
    assert send.status == S.DRAFT and send.created_by == cast["coordinator"]
    html = client.get(response.url).content.decode()
    assert "2 personer modtager mailen" in html
    assert "3 personer springes over" in html
    for name in ("Uden Adresse", "Har Forladt", staff["clerk"].name):
        assert name in html
    assert "Adressen afviser post: 1" in html and "Er fratrådt: 1" in html
    assert not Delivery.objects.exists()


def test_an_out_of_scope_unit_is_refused_with_a_clear_error_and_nothing_created(
    login, edition, cast, tree
):
    client = login("coordinator")
    response = client.post(
        url("create"),
        {"edition": edition.pk, "org_unit": tree["HJ"].pk, "audience_units": [tree["FR-SKOLE"].pk]},
    )
    assert response.status_code == 400
    assert "Du må ikke sende til disse enheder: FR Skole." in response.content.decode()
    assert not Send.objects.exists()


def test_an_empty_audience_is_refused(login, edition, cast, tree):
    client = login("coordinator")
    response = client.post(url("create"), {"edition": edition.pk, "org_unit": tree["HJ"].pk})
    assert response.status_code == 400
    assert not Send.objects.exists()


def test_a_draft_with_nobody_to_mail_warns_before_sending(login, make_send, cast, tree):
    send = make_send([tree["HJ-GYM"]], by=cast["coordinator"])
    html = login("coordinator").get(url("item", send.pk)).content.decode()
    assert "Ingen i målgruppen vil modtage mailen" in html


def test_editing_a_draft_changes_its_audience_through_the_service(
    login, make_send, staff, cast, tree
):
    send = make_send(by=cast["coordinator"])
    teachers = JobCategoryFactory()
    client = login("coordinator")
    response = client.post(
        url("edit", send.pk),
        {
            "edition": send.edition_id,
            "audience_units": [tree["HJ-SKOLE"].pk],
            "job_categories": [teachers.pk],
            "include_externals": "on",
        },
    )
    assert response.status_code == 302
    send.refresh_from_db()
    assert [u.code for u in send.audience_units.all()] == ["HJ-SKOLE"]
    assert list(send.job_categories.all()) == [teachers]
    assert send.include_externals
    # Out of scope: refused, nothing changed.
    response = client.post(
        url("edit", send.pk), {"edition": send.edition_id, "audience_units": [tree["FR"].pk]}
    )
    assert response.status_code == 400
    assert "Du må ikke sende til disse enheder: FR Kommune." in response.content.decode()
    assert [u.code for u in send.audience_units.all()] == ["HJ-SKOLE"]


# --- The mail and a test ------------------------------------------------------------------------


def test_the_preview_is_the_engines_rendering_and_a_test_is_not_counted(
    login, make_send, staff, cast
):
    send = make_send(by=cast["coordinator"])
    rendered = edition_render(send=send)
    client = login("coordinator")
    page = client.get(url("preview", send.pk))
    html = page.content.decode()
    assert 'sandbox src="' + url("preview_html", send.pk) in html
    assert "Nyhedsbrev – Forår 2027" in html
    frame = client.get(url("preview_html", send.pk))
    assert frame.content.decode() == rendered.html_internal
    assert "script-src 'none'" in frame["Content-Security-Policy"]
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    external = client.get(url("preview_html", send.pk) + "?variant=external")
    assert external.content.decode() == rendered.html_external
    response = client.post(url("preview", send.pk), {"addresses": "a@hj.dk, b@hj.dk"})
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["a@hj.dk"], ["b@hj.dk"]]
    assert mail.outbox[0].subject == rendered.subject
    assert mail.outbox[0].alternatives[0][0] == rendered.html_internal
    send.refresh_from_db()
    assert send.status == S.DRAFT and send.sent_count == 0
    assert not Delivery.objects.exists()


def test_a_test_to_too_many_or_bad_addresses_is_refused(login, make_send, cast):
    send = make_send(by=cast["coordinator"])
    client = login("coordinator")
    bad = client.post(url("preview", send.pk), {"addresses": "ikke-en-adresse"})
    assert bad.status_code == 400
    assert "“ikke-en-adresse” er ikke en e-mailadresse." in bad.content.decode()
    many = ", ".join(f"x{n}@hj.dk" for n in range(6))
    assert client.post(url("preview", send.pk), {"addresses": many}).status_code == 400
    assert mail.outbox == []


def test_a_started_send_previews_its_frozen_mail(login, make_send, staff, cast, edition):
    send = make_send(by=cast["coordinator"], start=True)
    edition.title = "Ny titel efter start"
    edition.save_revision().publish()
    frame = login("coordinator").get(url("preview_html", send.pk)).content.decode()
    assert frame == send.rendered["html_internal"]
    assert "Ny titel efter start" not in frame


# --- Actions ------------------------------------------------------------------------------------


def test_actions_are_shown_by_state(login, make_send, staff, cast):
    send = make_send(by=cast["coordinator"])
    client = login("coordinator")
    html = client.get(url("item", send.pk)).content.decode()
    for name in ("edit", "schedule", "start", "cancel"):
        assert url(name, send.pk) in html
    for name in ("pause", "resume", "retry", "ledger"):
        assert url(name, send.pk) not in html
    send_services.send_start(send=send, by=cast["coordinator"])
    # Eager Celery ran the batches on commit? Not inside the test's transaction: still sending.
    html = client.get(url("item", send.pk)).content.decode()
    for name in ("pause", "cancel", "ledger"):
        assert url(name, send.pk) in html
    for name in ("edit", "schedule", "start", "resume", "retry"):
        assert url(name, send.pk) not in html


def test_schedule_in_copenhagen_time_and_refuse_the_past(login, make_send, staff, cast):
    send = make_send(by=cast["coordinator"])
    client = login("coordinator")
    past = timezone.localtime() - dt.timedelta(hours=1)
    response = client.post(
        url("schedule", send.pk), {"scheduled_at": past.strftime("%Y-%m-%d %H:%M")}
    )
    assert response.status_code == 400
    assert "Vælg et tidspunkt i fremtiden." in response.content.decode()
    send.refresh_from_db()
    assert send.status == S.DRAFT and send.scheduled_at is None
    response = client.post(url("schedule", send.pk), {"scheduled_at": "2030-06-01 09:30"})
    assert response.status_code == 302
    send.refresh_from_db()
    assert send.status == S.SCHEDULED
    assert timezone.localtime(send.scheduled_at).strftime("%Y-%m-%d %H:%M") == "2030-06-01 09:30"
    assert send.scheduled_at.utcoffset() == dt.timedelta(0)
    assert send.scheduled_at.hour == 7  # summer time: UTC+2
    assert send.scheduled_by == cast["coordinator"]


def test_start_pause_resume_cancel_and_retry(login, make_send, staff, cast):
    send = make_send(by=cast["coordinator"])
    client = login("coordinator")
    confirm = client.get(url("start", send.pk)).content.decode()
    assert "3 personer" in confirm
    assert client.post(url("start", send.pk)).status_code == 302
    send.refresh_from_db()
    assert send.status == S.SENDING
    assert client.post(url("pause", send.pk)).status_code == 302
    send.refresh_from_db()
    assert send.status == S.PAUSED
    # Resume twice: the second is refused with the service's words and changes nothing.
    client.post(url("resume", send.pk))
    response = client.post(url("resume", send.pk), follow=True)
    assert "Det er ikke muligt for en udsendelse med status" in response.content.decode()
    send.refresh_from_db()
    assert send.status == S.SENDING
    # The cancel link leads to a confirmation first.
    assert "Annullér udsendelsen" in client.get(url("cancel", send.pk)).content.decode()
    send.refresh_from_db()
    assert send.status == S.SENDING
    client.post(url("cancel", send.pk))
    send.refresh_from_db()
    assert send.status == S.CANCELLED
    assert set(Delivery.objects.filter(send=send).values_list("status", flat=True)) == {D.SKIPPED}


def test_send_again_to_the_failed(login, make_send, staff, cast):
    send = sent_send(make_send, cast, staff, failed=["kontor@hj.dk"])
    client = login("coordinator")
    failed = Delivery.objects.get(send=send, email="kontor@hj.dk")
    Delivery.objects.filter(pk=failed.pk).update(status=D.FAILED, next_attempt_at=None)
    send_services.send_counters_refresh(send=send)
    html = client.get(url("item", send.pk)).content.decode()
    assert url("retry", send.pk) in html
    assert client.post(url("retry", send.pk)).status_code == 302
    failed.refresh_from_db()
    assert failed.status in (D.PENDING, D.SENT)


# --- Progress and the report --------------------------------------------------------------------


def test_the_progress_json_reflects_the_ledger(login, make_send, staff, cast):
    send = make_send(by=cast["coordinator"], start=True)
    client = login("coordinator")
    data = client.get(url("progress", send.pk)).json()
    assert data["status"] == "sending" and data["status_label"] == "Sendes"
    assert (data["recipients"], data["sent"], data["pending"], data["percent"]) == (3, 0, 3, 0)
    first = Delivery.objects.filter(send=send).order_by("pk").first()
    Delivery.objects.filter(pk=first.pk).update(status=D.SENT, sent_at=timezone.now())
    data = client.get(url("progress", send.pk)).json()
    assert (data["sent"], data["pending"], data["percent"]) == (1, 2, 33)
    # One mail in the send's first half minute: 2 a minute, so the 2 pending take a minute.
    assert (data["rate_per_minute"], data["eta_seconds"], data["eta_text"]) == (
        2.0,
        60,
        "ca. 1 min.",
    )
    assert data["finished"] is False


def test_the_ledger_and_its_downloads(login, make_send, staff, cast, tree):
    PersonFactory(org_unit=tree["HJ-SKOLE"], name="Uden Adresse", email="")
    send = sent_send(make_send, cast, staff)
    failed = Delivery.objects.get(send=send, email="kontor@hj.dk")
    Delivery.objects.filter(pk=failed.pk).update(
        status=D.FAILED,
        sent_at=None,
        smtp_code=550,
        smtp_answer="No such user",
        possibly_duplicated=True,
    )
    client = login("coordinator")
    html = client.get(url("ledger", send.pk)).content.decode()
    assert staff["teacher"].name in html and "laerer@hj.dk" in html
    problems = client.get(url("ledger", send.pk) + "?status=problems").content.decode()
    assert staff["clerk"].name in problems and staff["teacher"].name not in problems
    duplicated = client.get(url("ledger", send.pk) + "?status=duplicated").content.decode()
    assert "kontor@hj.dk" in duplicated and "laerer@hj.dk" not in duplicated

    response = client.get(url("export_csv", send.pk))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Navn", "E-mail", "Enhed", "Status", "Begrundelse"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {staff["clerk"].name, "Uden Adresse"}
    assert by_name[staff["clerk"].name][3] == "Mislykket"
    assert by_name[staff["clerk"].name][7:10] == ["550", "No such user", "Ja"]
    assert by_name["Uden Adresse"][4] == "Ingen e-mailadresse"

    response = client.get(url("export_xlsx", send.pk) + "?status=sent")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Navn"
    assert {row[1] for row in values[1:]} == {"laerer@hj.dk", "Paedagog@hj.dk"}
    sent_at = values[1][6]
    assert isinstance(sent_at, dt.datetime)
    delivered = Delivery.objects.get(send=send, email=values[1][1]).sent_at
    assert sent_at == timezone.localtime(delivered).replace(
        tzinfo=None, microsecond=sent_at.microsecond
    )


@pytest.mark.parametrize("value", ["²", "٣", "abc", "-1", "99999999999999999999"])
def test_a_malformed_edition_id_on_the_new_send_page_is_a_400(login, value):
    """The pre-filled edition from the page's button: "²" passes str.isdigit() but not int()."""
    response = login("coordinator").get(url("create"), {"edition": value})
    assert response.status_code == 400


# --- Query counts -------------------------------------------------------------------------------


def _sends(make_send, cast, n):
    for _ in range(n):
        make_send(by=cast["coordinator"], start=True)


# Session, user, roles, MFA, Wagtail's permissions and profile (7); the sends and their
# ledger counts in one query each, the page count (3); Wagtail's menu (4).
LIST_QUERIES = 14
# The admin's share (7 + 4 as above); the send; its progress from the ledger (one aggregate);
# its audience units and job categories.
SEND_PAGE_QUERIES = 15
# A draft: no progress; the audience instead: its units, categories and external units (3),
# the counts per skip reason and the skipped people's names (2).
DRAFT_PAGE_QUERIES = 19


def test_the_list_takes_the_same_queries_for_one_send_or_many(
    login, make_send, staff, cast, assert_queries
):
    client = login("coordinator")
    _sends(make_send, cast, 1)
    assert_queries(LIST_QUERIES, lambda: client.get(url("index")))
    for extra in range(20):
        PersonFactory(org_unit=staff["teacher"].org_unit, email=f"x{extra}@hj.dk")
    _sends(make_send, cast, 8)
    make_send(by=cast["coordinator"])
    assert_queries(LIST_QUERIES, lambda: client.get(url("index")))


def test_the_send_page_takes_the_same_queries_however_many_deliveries(
    login, make_send, staff, cast, tree, assert_queries
):
    client = login("coordinator")
    small = make_send([tree["HJ-BFU"]], by=cast["coordinator"], start=True)
    assert_queries(SEND_PAGE_QUERIES, lambda: client.get(url("item", small.pk)))
    draft_small = make_send([tree["HJ-BFU"]], by=cast["coordinator"])
    assert_queries(DRAFT_PAGE_QUERIES, lambda: client.get(url("item", draft_small.pk)))
    for extra in range(25):
        PersonFactory(org_unit=tree["HJ-SKOLE"], email=f"y{extra}@hj.dk")
    PersonFactory(org_unit=tree["HJ-SKOLE"], email="")
    big = make_send(by=cast["coordinator"], start=True)
    assert big.recipients_count > small.recipients_count + 25
    assert_queries(SEND_PAGE_QUERIES, lambda: client.get(url("item", big.pk)))
    draft_big = make_send(by=cast["coordinator"])
    assert_queries(DRAFT_PAGE_QUERIES, lambda: client.get(url("item", draft_big.pk)))


def test_creating_from_a_newsletter_page_is_one_click(login, edition, cast, tree):
    from lms.site.models import HomePage
    from lms.site.services import editors

    HomePage.objects.filter(pk=edition.get_parent().get_parent().pk).update(org_unit=tree["HJ"])
    editors.editor_groups_sync()
    client = login("coordinator")
    html = client.get(reverse("wagtailadmin_pages:edit", args=(edition.pk,))).content.decode()
    assert url("create") + f"?edition={edition.pk}" in html
    steering = login("steering")
    html = steering.get(reverse("wagtailadmin_explore", args=(edition.get_parent().pk,)))
    assert url("create") not in html.content.decode()


def test_an_unpublished_edition_cannot_be_sent(login, make_send, staff, cast):
    draft_edition = edition_make(title="Kladde", publish=False)
    send = make_send(by=cast["coordinator"], edition=draft_edition)
    response = login("coordinator").post(url("start", send.pk), follow=True)
    assert "Udgiv nyhedsbrevet, før det sendes" in response.content.decode()
    send.refresh_from_db()
    assert send.status == S.DRAFT
    assert not Delivery.objects.exists()


def test_an_urgent_messages_send_stays_with_the_leaders(login, make_staff, tree, staff, cast):
    """An urgent message has no edition: the newsletter sends' list, home panel and pages leave
    it to the leaders' own admin (newsletters.viewsets.urgent) instead of failing on it."""
    from newsletters.services.urgent import urgent_message_send

    leader = make_staff(Role.LEADER, tree["HJ"])
    urgent = urgent_message_send(
        org_unit=tree["HJ"],
        subject="Hændelse ved gymnasiet",
        situation="Der har været en alvorlig hændelse.",
        who_acts="Politiet og kommunens krisestab.",
        staff_action="Tal roligt med børn og unge, der spørger.",
        contact="Krisestaben: 72 33 33 33.",
        by=leader,
    )
    client = login("coordinator")
    assert client.get(url("index")).status_code == 200
    assert url("item", urgent.pk) not in client.get(url("index")).content.decode()
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(url("item", urgent.pk)).status_code == 404
