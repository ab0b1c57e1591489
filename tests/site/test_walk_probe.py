"""A walk of every page each demo role reaches, front end and admin, probing the classes of
issue 8 where they can occur:

- words: no untranslated English on the front-end pages (Min side, meetings, booking, courses,
  Min læring, certificates, cards, the account pages) either; no "None" shown for an empty value;
- malformed ids: every page reached is asked again with malformed numbers in its own query
  parameters and in the usual ones (page number, ordering, ids), and with a huge number in place
  of each id in its path: 400 or 404 or the page, never a server error.
"""

import re
from io import StringIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from lms.people.demo import DEMO_LOGINS
from lms.people.models import User
from tests.browser.conftest import wagtail_roots_ensure
from tests.untranslated import links, readable_texts, untranslated_in

# Links not to follow: signing out, files, language switching, the JavaScript catalogue.
SKIP = re.compile(
    r"/logout/|export|\.csv|\.xlsx|\.pdf|\.ics|/pdf/|/download|/jsi18n/|/qr|/preview|/i18n/"
    r"|/multiple/|/usage/|/workflows/|/groups/|/kalender|/calendar"
)
MAX_PAGES = 150
# Start pages of the front end; the crawl follows the links from there.
FRONT = [
    "/",
    "/min-side/",
    "/moeder/",
    "/laering/",
    "/mine-kompetencer/",
    "/handlekort/",
    "/konto/login/",
    "/konto/signup/",
    "/konto/password/reset/",
    "/konto/2fa/",
    "/konto/email/",
    "/konto/password/change/",
    "/side-findes-ikke/",
]
# pytest-django sets the test database up only when a collected test asks for it.
pytestmark = pytest.mark.django_db

BAD = ["²", "٣", "abc", "9" * 20]
PARAMETERS = ["p", "page", "ordering", "id", "pk", "meeting", "person", "card", "version", "q"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        call_command("load_demo_data", stdout=StringIO())
        for login in DEMO_LOGINS:
            user = User.objects.get(email=login.email)
            if login.role is not None or user.is_superuser:
                TOTP.activate(user, generate_totp_secret())
        yield
        transaction.set_rollback(True)


def kind(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(
        key for key, value in parse_qsl(parts.query) if key in ("q", "p") and value != "1"
    )
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client: Client, starts: list[str], *, admin: bool) -> dict[str, str]:
    """url -> HTML of each kind of page reached from `starts`, inside the admin or outside it."""
    pages: dict[str, str] = {}
    queue = list(starts)
    kinds: set[str] = set()
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        if kind(url) in kinds:
            continue
        kinds.add(kind(url))
        response = client.get(url)
        assert response.status_code != 500, url
        if response.status_code not in (200, 404) or "text/html" not in response.get(
            "Content-Type", ""
        ):
            continue
        html = response.content.decode()
        pages[url] = html
        for link in links(html):
            parts = urlsplit(urljoin(url, link))
            if parts.netloc not in ("", "testserver"):
                continue
            if parts.path.startswith("/admin/") is not admin:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if not SKIP.search(link) and kind(link) not in kinds:
                queue.append(link)
    return pages


def client_for(email: str | None) -> Client:
    client = Client(raise_request_exception=False)
    if email:
        client.force_login(User.objects.get(email=email))
    return client


ROLES = [None, *(login.email for login in DEMO_LOGINS)]


@pytest.fixture(scope="module")
def front(demo, django_db_blocker):
    """email (None: anonymous) -> {url: html} of the front end."""
    with django_db_blocker.unblock():
        return {email: crawl(client_for(email), FRONT, admin=False) for email in ROLES}


@pytest.fixture(scope="module")
def admin(demo, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            email: crawl(client_for(email), ["/admin/"], admin=True)
            for email in ("koordinator@demo.infohus.dk", "admin@demo.infohus.dk")
        }


def test_the_walk_reaches_the_front_end(front):
    employee = " ".join(front["medarbejder@demo.infohus.dk"])
    for needed in ("/min-side/", "/moeder/", "/laering/", "/handlekort/", "/mine-kompetencer/"):
        assert needed in employee, needed
    assert "/konto/password/reset/" in " ".join(front[None])


@pytest.mark.parametrize("email", ROLES, ids=lambda e: (e or "anonymous").split("@")[0])
def test_no_english_on_the_front_end_of(email, front):
    problems = {
        url: found for url, html in front[email].items() if (found := untranslated_in(html))
    }
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


def _nones(pages: dict[str, str]) -> dict[str, list[str]]:
    found = {}
    for url, html in pages.items():
        texts = [t for t in readable_texts(html) if re.search(r"\bNone\b", t)]
        if texts:
            found[url] = texts
    return found


def test_no_empty_value_reads_none(front, admin):
    problems = {}
    for pages in [*front.values(), *admin.values()]:
        problems.update(_nones(pages))
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


def _probes(url: str):
    parts = urlsplit(url)
    own = dict(parse_qsl(parts.query))
    for name in {*own, *PARAMETERS}:
        for value in BAD:
            yield parts.path + "?" + urlencode({**own, name: value})
    for match in re.finditer(r"/(\d+)/", parts.path):
        yield parts.path[: match.start(1)] + "9" * 20 + parts.path[match.end(1) :]


def _server_errors(email, pages) -> list[str]:
    client = client_for(email)
    return [
        probe for url in pages for probe in _probes(url) if client.get(probe).status_code == 500
    ]


@pytest.mark.parametrize("email", ROLES, ids=lambda e: (e or "anonymous").split("@")[0])
def test_malformed_numbers_on_the_front_end_give_no_server_error(email, front, django_db_blocker):
    with django_db_blocker.unblock():
        assert _server_errors(email, front[email]) == []


@pytest.mark.parametrize("email", ["koordinator@demo.infohus.dk", "admin@demo.infohus.dk"])
def test_malformed_numbers_in_the_admin_give_no_server_error(email, admin, django_db_blocker):
    with django_db_blocker.unblock():
        assert _server_errors(email, admin[email]) == []
