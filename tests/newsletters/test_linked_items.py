"""Blocks that pick a meeting, a course or an Action Card (lms.site.teasers, registered by the
features): each renders with its link on the web page and in the mail (HTML and plain text); one
that is gone (deleted, cancelled, unpublished, never approved) shows nothing and breaks nothing;
and the mail resolves them one query per kind, however many the edition picks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client

from attendance import services as attendance_services
from attendance.models import Meeting
from lms.people.models import Role
from lms.site import teasers
from newsletters.blocks import LinkedItemBlock
from newsletters.emails.editions import edition_render
from newsletters.models import NewsletterPage
from tests.attendance.builders import card_make
from tests.attendance.builders import meeting_make as meeting_built
from tests.courses.builders import catalogue_make, course_make

from .conftest import edition_make

pytestmark = pytest.mark.django_db

BASE = settings.LMS_BASE_URL


@pytest.fixture
def items(tree, make_staff):
    author = make_staff(Role.COORDINATOR, tree["HJ"])
    approver = make_staff(Role.COORDINATOR, tree["HJ"])
    index = catalogue_make()
    return {
        "meeting": meeting_make(
            tree["HJ"], title="Dialogmøde om fællesskaber", description="Et møde for lærere."
        ),
        "card": card_make(org_unit=tree["HJ"], author=author, approver=approver),
        "course": course_make(index, title="Bekymringstegn"),
        "draft_card": card_make(
            org_unit=tree["HJ"], author=author, approver=None, slug="kladde", title="Kladde"
        ),
        "cancelled": meeting_make(tree["HJ"], title="Aflyst møde"),
        "draft_meeting": meeting_make(tree["HJ"], title="Mødekladde", publish=False),
        "unpublished": course_make(index, title="Trukket kursus", lessons=()),
    }


def meeting_make(unit, **fields):
    return meeting_built(unit, audience=[unit], **fields)


def ref(kind: str, obj) -> str:
    return teasers.reference(kind, obj.pk)


def edition_with(refs, *, title="Efterår") -> NewsletterPage:
    edition = edition_make(title=title)
    edition.body = [
        {"type": "heading", "value": "Det sker"},
        *({"type": "linked_item", "value": {"item": r, "note": "Kom og vær med."}} for r in refs),
    ]
    edition.save_revision().publish()
    return NewsletterPage.objects.get(pk=edition.pk)


def gone(items):
    attendance_services.meeting_cancel(meeting=items["cancelled"], reason="Sygdom", by=None)
    items["unpublished"].unpublish()
    deleted = meeting_make(items["meeting"].org_unit, title="Slettet møde")
    deleted_ref = ref("meeting", deleted)
    Meeting.objects.filter(pk=deleted.pk).delete()
    return [
        ref("meeting", items["cancelled"]),
        ref("meeting", items["draft_meeting"]),
        ref("course", items["unpublished"]),
        ref("action_card", items["draft_card"]),
        deleted_ref,
        "meeting:not-a-number",
        "nosuchkind:1",
    ]


def test_each_kind_has_a_teaser_with_its_link(items):
    meeting, card, course = items["meeting"], items["card"], items["course"]
    found = teasers.teasers_for(
        [ref("meeting", meeting), ref("action_card", card), ref("course", course)]
    )
    shown = found[ref("meeting", meeting)]
    assert shown.title == "Dialogmøde om fællesskaber"
    assert shown.url == f"{BASE}/moeder/{meeting.pk}/"
    assert shown.line == "Et møde for lærere."
    assert shown.facts[1] == "Rådhuset, mødelokale 1"
    assert str(shown.kind_label) == "Møde"
    assert found[ref("action_card", card)].url == f"{BASE}/handlekort/medarbejdere/"
    assert found[ref("action_card", card)].title == "Handlekort for medarbejdere"
    assert found[ref("course", course)].url == f"{BASE}/kurser/bekymringstegn/"
    assert found[ref("course", course)].facts == ("Ca. 15 minutter",)


def test_an_item_that_is_gone_has_no_teaser(items):
    assert teasers.teasers_for(gone(items)) == {}
    assert teasers.teaser(ref("meeting", items["cancelled"])) is None


def test_the_chooser_offers_each_kind_grouped_and_nothing_that_is_gone(items):
    groups = dict(teasers.choices())
    assert list(groups) == ["Møder", "Kurser", "Handlekort"]
    meetings = dict(groups["Møder"])
    assert ref("meeting", items["meeting"]) in meetings
    assert ref("meeting", items["draft_meeting"]) not in meetings
    assert ref("course", items["course"]) in dict(groups["Kurser"])
    assert ref("action_card", items["card"]) in dict(groups["Handlekort"])
    assert ref("action_card", items["draft_card"]) not in dict(groups["Handlekort"])


def test_the_block_accepts_a_reference_to_any_registered_kind_and_refuses_others(items):
    block = LinkedItemBlock()
    old = meeting_make(items["meeting"].org_unit, publish=False)
    held = dt.timedelta(days=-400)
    Meeting.objects.filter(pk=old.pk).update(
        status=Meeting.Status.HELD, starts_at=old.starts_at + held, ends_at=old.ends_at + held
    )
    assert ref("meeting", old) not in dict(dict(teasers.choices())["Møder"])
    # Last year's meeting is no longer offered, but an edition that points at it still saves.
    value = block.clean(block.to_python({"item": ref("meeting", old), "note": ""}))
    assert value["item"] == ref("meeting", old)
    from django.core.exceptions import ValidationError

    for bad in ("nosuchkind:1", "meeting:x", ""):
        with pytest.raises(ValidationError):
            block.clean(block.to_python({"item": bad, "note": ""}))


def test_reading_a_block_does_not_list_the_choices(items, django_assert_num_queries):
    block = LinkedItemBlock()
    with django_assert_num_queries(0):
        value = block.to_python({"item": ref("meeting", items["meeting"]), "note": ""})
    assert value["item"] == ref("meeting", items["meeting"])


def test_the_web_page_shows_each_item_with_its_link(items):
    edition = edition_with(
        [
            ref("meeting", items["meeting"]),
            ref("course", items["course"]),
            ref("action_card", items["card"]),
        ]
    )
    html = Client().get(edition.url).content.decode()
    assert f'href="{BASE}/moeder/{items["meeting"].pk}/"' in html
    assert "Dialogmøde om fællesskaber" in html
    assert f'href="{BASE}/kurser/bekymringstegn/"' in html
    assert f'href="{BASE}/handlekort/medarbejdere/"' in html
    assert "Kom og vær med." in html


def test_the_web_page_shows_nothing_of_an_item_that_is_gone(items):
    edition = edition_with([ref("meeting", items["meeting"]), *gone(items)])
    response = Client().get(edition.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dialogmøde om fællesskaber" in html
    assert html.count('class="nl-item"') == 1
    for title in ("Aflyst møde", "Mødekladde", "Trukket kursus", "Kladde", "Slettet møde"):
        assert title not in html


def test_the_mail_shows_each_item_in_html_and_text(items, make_send):
    edition = edition_with(
        [
            ref("meeting", items["meeting"]),
            ref("course", items["course"]),
            ref("action_card", items["card"]),
            *gone(items),
        ]
    )
    rendered = edition_render(send=make_send(edition=edition))
    html, text = rendered.html_internal, rendered.text_internal
    meeting_url = f"{BASE}/moeder/{items['meeting'].pk}/"
    assert f'href="{meeting_url}"' in html
    assert 'class="nl-item"' in html and "border-left: 4px solid #1d5e8c" in html
    assert f'href="{BASE}/kurser/bekymringstegn/"' in html
    assert f'href="{BASE}/handlekort/medarbejdere/"' in html
    assert "Møde: Dialogmøde om fællesskaber\n" in text
    assert f"Rådhuset, mødelokale 1\nEt møde for lærere.\nKom og vær med.\n{meeting_url}" in text
    assert "Kursus: Bekymringstegn\nCa. 15 minutter\n" in text
    assert "Handlekort: Handlekort for medarbejdere\n" in text
    assert f"{BASE}/handlekort/medarbejdere/" in text
    for title in ("Aflyst møde", "Mødekladde", "Trukket kursus", "Kladde", "Slettet møde"):
        assert title not in html and title not in text


RENDER_QUERIES = 9  # the edition with a meeting and a course


def test_the_mail_resolves_items_one_query_per_kind_however_many(
    items, tree, make_send, assert_queries
):
    meetings = [meeting_make(tree["HJ"], title=f"Møde {n}") for n in range(6)]
    index_course = items["course"]
    few = edition_with([ref("meeting", items["meeting"]), ref("course", index_course)], title="Få")
    many = edition_with(
        [ref("meeting", m) for m in meetings]
        + [ref("course", index_course), ref("action_card", items["card"])] * 3,
        title="Mange",
    )
    few_send, many_send = make_send(edition=few), make_send(edition=many)
    assert_queries(RENDER_QUERIES, lambda: edition_render(send=few_send))
    # One more kind (the Action Cards) is one more query; more items of a kind cost nothing.
    assert_queries(RENDER_QUERIES + 1, lambda: edition_render(send=many_send))


def test_the_page_editor_offers_the_items_grouped_by_kind(items, client, mfa):
    from tests.factories import UserFactory

    edition = edition_with([ref("meeting", items["meeting"])])
    client.force_login(mfa(UserFactory(is_superuser=True)))
    response = client.get(f"/admin/pages/{edition.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    # The block definitions are JSON in the page: non-ASCII letters escaped.
    assert "kursus eller handlekort" in html
    for value in (
        ref("meeting", items["meeting"]),
        ref("course", items["course"]),
        ref("action_card", items["card"]),
    ):
        assert value in html
    assert ref("meeting", items["draft_meeting"]) not in html
