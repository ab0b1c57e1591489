"""Fixtures of the newsletter tests: a site with an archive and a published edition, an audience
in the shared `tree` (HJ and FR, each with an administration, a school and an external
gymnasium), and fake SMTP connections that answer as a server would."""

from __future__ import annotations

import smtplib
import threading

import pytest

from lms.people.models import Role
from lms.site.models import HomePage
from lms.site.services.pages import site_seed
from newsletters.models import NewsletterIndexPage, NewsletterPage
from newsletters.services import sends as send_services
from tests.factories import PersonFactory

BODY = [
    {"type": "heading", "value": "Nyt fra Infohuset"},
    {"type": "rich_text", "value": '<p>Læs om <a href="https://example.dk/x">bekymring</a>.</p>'},
    {"type": "quote", "value": {"quote": "Tal med din leder.", "attribution": "SSP"}},
    {"type": "call_to_action", "value": {"text": "Se handlekortet", "url": "https://example.dk/k"}},
]


def edition_make(*, title="Nyhedsbrev", label="Forår 2027", publish=True) -> NewsletterPage:
    home = site_seed(infohus_name="Infohus Hjørring", organisation_name="Hjørring Kommune").home
    home = HomePage.objects.get(pk=home.pk)
    index = NewsletterIndexPage.objects.child_of(home).first()
    if index is None:
        index = NewsletterIndexPage(title="Nyhedsbreve", slug="nyhedsbreve")
        home.add_child(instance=index)
        index.save_revision().publish()
    edition = NewsletterPage(
        title=title, slug=title.lower().replace(" ", "-"), edition_label=label, teaser="Kort om"
    )
    edition.body = BODY
    index.add_child(instance=edition)
    if publish:
        edition.save_revision().publish()
    else:
        NewsletterPage.objects.filter(pk=edition.pk).update(live=False)
    return NewsletterPage.objects.get(pk=edition.pk)


@pytest.fixture
def edition(db):
    return edition_make()


@pytest.fixture
def coordinator(make_staff, tree):
    return make_staff(Role.COORDINATOR, tree["HJ"])


@pytest.fixture
def staff(tree):
    """Four people of HJ: two at the school, one at the administration, one at the external
    gymnasium."""
    return {
        "teacher": PersonFactory(org_unit=tree["HJ-SKOLE"], email="laerer@hj.dk"),
        "pedagogue": PersonFactory(org_unit=tree["HJ-SKOLE"], email="Paedagog@hj.dk"),
        "clerk": PersonFactory(org_unit=tree["HJ-BFU"], email="kontor@hj.dk"),
        "external": PersonFactory(org_unit=tree["HJ-GYM"], email="lektor@gym.dk"),
    }


@pytest.fixture
def make_send(edition, tree):
    """make_send(units=[...], by=None, start=False, **fields) -> a Send of `edition` from HJ."""

    def make(units=None, *, by=None, start=False, **fields):
        send = send_services.send_create(
            edition=fields.pop("edition", edition),
            org_unit=fields.pop("org_unit", tree["HJ"]),
            audience_units=units if units is not None else [tree["HJ"]],
            by=by,
            **fields,
        )
        if start:
            send = send_services.send_start(send=send, by=by)
        return send

    return make


class FakeSMTP:
    """A connection in the shape of Django's email backends that answers per address: `answers`
    maps an address to an exception to raise (once, or every time with `always`). Records what it
    accepted, thread-safely, and how often it was opened."""

    accepted: list[str]

    def __init__(self, answers=None, *, always=False, shared=None, lock=None):
        self.answers = dict(answers or {})
        self.always = always
        self.accepted = shared if shared is not None else []
        self.lock = lock or threading.Lock()
        self.opened = 0
        self.closed = 0
        self.messages = []

    def open(self):
        self.opened += 1
        return True

    def close(self):
        self.closed += 1

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            answer = self.answers.get(address)
            if answer is not None:
                if not self.always:
                    del self.answers[address]
                raise answer
            with self.lock:
                self.accepted.append(address)
                self.messages.append(message)
        return len(messages)


def refused(address: str, code: int, text: bytes) -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({address: (code, text)})


@pytest.fixture
def fake_smtp():
    return FakeSMTP
