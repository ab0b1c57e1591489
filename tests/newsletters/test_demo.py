"""The demo newsletter (newsletters.demo.editions), loaded by `manage.py load_demo_data`: the
archive, the year's two editions sent to the demo staff through the real engine, a draft of the
next, and nothing more on a second load."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from wagtail.models import Page, Revision

from lms.people.models import OrgUnit
from lms.site.models import HomePage
from lms.site.teasers import teasers_for
from newsletters.demo import editions as demo
from newsletters.models import Delivery, NewsletterIndexPage, NewsletterPage, Send
from newsletters.selectors.audiences import audience_people
from tests.mails import is_report_offer

pytestmark = pytest.mark.django_db

EMPLOYEE_EMAIL = "medarbejder@demo.infohus.dk"


def load() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Send, Delivery, Page, NewsletterPage, Revision)
    }


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The whole demo loaded twice, once for the module, in a transaction rolled back at the end;
    the on-commit callbacks run as a real commit would (the engine's batch tasks among them)."""
    from tests.factories import wagtail_roots_ensure

    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        mail.outbox = []
        with TestCase.captureOnCommitCallbacks(execute=True):
            first = load()
        outbox = list(mail.outbox)
        before = counts()
        with TestCase.captureOnCommitCallbacks(execute=True):
            second = load()
        yield {
            "first": first,
            "second": second,
            "outbox": outbox,
            "outbox_after": list(mail.outbox),
            "before": before,
            "after": counts(),
        }
        transaction.set_rollback(True)


def archive() -> NewsletterIndexPage:
    return NewsletterIndexPage.objects.child_of(HomePage.objects.get()).get()


def year() -> int:
    return demo.sent_year(timezone.now())


def edition(plan: demo.PlannedEdition) -> NewsletterPage:
    return NewsletterPage.objects.child_of(archive()).get(edition_label=plan.label(year()))


def test_the_command_reports_the_newsletter(loaded):
    assert "Newsletters: 4 pages, 2 sends created, " in loaded["first"]


def test_the_archive_holds_the_years_editions_and_a_draft_of_the_next(loaded, db):
    index = archive()
    assert (index.title, index.slug, index.live) == ("Nyhedsbrev", demo.INDEX_SLUG, True)
    labels = dict(
        NewsletterPage.objects.child_of(index).values_list("edition_label", "live").order_by("pk")
    )
    y = year()
    assert labels == {f"Forår {y}": True, f"Efterår {y}": True, f"Forår {y + 1}": False}
    draft = edition(demo.DRAFT_EDITION)
    assert draft.has_unpublished_changes and draft.latest_revision is not None
    assert not draft.sends.exists()
    # The draft points at a meeting, a course and an Action Card of the demo, each still shown.
    draft_body = draft.latest_revision.as_object().body
    picked = [b.value["item"] for b in draft_body if b.block_type == "linked_item"]
    assert sorted(ref.split(":")[0] for ref in picked) == ["action_card", "course", "meeting"]
    assert len(teasers_for(picked)) == 3
    for plan in (demo.SPRING_EDITION, demo.AUTUMN_EDITION):
        page = edition(plan)
        assert {block.block_type for block in page.body} >= {"heading", "rich_text", "quote"}
        assert page.teaser
        # Calls to action lead to the platform, on the address the mail's other links use.
        actions = [b.value["url"] for b in page.body if b.block_type == "call_to_action"]
        assert actions and all(url.startswith(settings.LMS_BASE_URL) for url in actions)


def test_the_sent_editions_went_to_the_audience_through_the_ledger(loaded, db):
    audience = OrgUnit.objects.get(code=demo.AUDIENCE)
    sends = list(Send.objects.order_by("started_at"))
    assert [s.edition for s in sends] == [
        edition(demo.SPRING_EDITION),
        edition(demo.AUTUMN_EDITION),
    ]
    for send in sends:
        assert send.status == Send.Status.SENT
        assert list(send.audience_units.all()) == [audience]
        assert send.created_by.email == demo.COORDINATOR_EMAIL
        rows = Delivery.objects.filter(send=send)
        assert rows.count() == send.recipients_count == audience_people(send).count() > 1000
        assert not rows.filter(external=True).exists()
        assert set(rows.values_list("status", flat=True)) == {Delivery.Status.SENT}
        assert (send.sent_count, send.pending_count, send.failed_count) == (
            send.recipients_count,
            0,
            0,
        )
        assert rows.filter(email=EMPLOYEE_EMAIL).exists()
    # Every mail the load sent is one of these deliveries, one message per ledger row, but the
    # half-year report's link to the steering group (reports.demo).
    sent = Counter(
        Delivery.objects.filter(status=Delivery.Status.SENT).values_list("email", flat=True)
    )
    assert Counter(m.to[0] for m in loaded["outbox"] if not is_report_offer(m)) == sent


def test_the_sent_editions_are_dated_in_the_past_in_order(loaded, db):
    now = timezone.now()
    spring = Send.objects.get(edition=edition(demo.SPRING_EDITION))
    autumn = Send.objects.get(edition=edition(demo.AUTUMN_EDITION))
    assert timezone.localdate(spring.started_at).month == demo.SPRING[0]
    assert timezone.localdate(autumn.started_at).month == demo.AUTUMN[0]
    for send in (spring, autumn):
        page = send.edition
        assert page.first_published_at < send.created_at < send.started_at
        assert send.started_at < send.finished_at < send.started_at + dt.timedelta(hours=1)
        first, last = (
            Delivery.objects.filter(send=send).order_by(f).values_list("sent_at", flat=True)[0]
            for f in ("sent_at", "-sent_at")
        )
        assert send.started_at <= first <= last <= send.finished_at
    assert archive().first_published_at < spring.edition.first_published_at
    assert spring.finished_at < autumn.created_at
    assert autumn.finished_at < now
    # The archive lists the newest edition first.
    response_order = (
        NewsletterPage.objects.child_of(archive()).live().order_by("-first_published_at")
    )
    assert list(response_order) == [autumn.edition, spring.edition]


def test_a_second_load_adds_no_page_send_delivery_or_mail(loaded):
    assert loaded["after"] == loaded["before"]
    assert loaded["outbox_after"] == loaded["outbox"]
    assert "Nothing to add: the demo data is already loaded." in loaded["second"]


def test_the_sent_year_is_the_last_with_its_autumn_edition_out():
    def at(*args):
        return timezone.make_aware(dt.datetime(*args))

    assert demo.sent_year(at(2026, 11, 30, 12)) == 2026
    assert demo.sent_year(at(2026, 10, 6, 10)) == 2026
    assert demo.sent_year(at(2026, 10, 6, 8)) == 2025
    assert demo.sent_year(at(2027, 2, 1, 12)) == 2026
