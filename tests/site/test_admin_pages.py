"""The admin pages each staff role uses, walked on the demo data: Danish everywhere, and nothing
fetched from a third party.

Each role signs in (with TOTP, as the MFA gate demands) and a crawler follows the admin's own links
from the admin home (the menu included): every listing, and one of each kind of page below it (add
and edit forms, inspect, history, further pages of a listing, search results, the account page).
"""

import json
import re
from io import StringIO
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction

from lms.people.demo.people import DEMO_LOGINS
from lms.people.models import User
from tests import untranslated
from tests.factories import wagtail_roots_ensure
from tests.untranslated import Entry, links, untranslated_in

STAFF = {
    "coordinator": "koordinator@demo.infohus.dk",
    "department_contact": "afdeling@demo.infohus.dk",
    "institution_coordinator": "institution@demo.infohus.dk",
    "steering_group": "styregruppe@demo.infohus.dk",
    "superuser": "admin@demo.infohus.dk",
    # The urgent messages' pages under "Nyhedsbreve".
    "leader": "leder@demo.infohus.dk",
    # The Infohus members who read concerns: the cases' list and one case.
    "ssp_consultant": "ssp@demo.infohus.dk",
    "police_representative": "politi@demo.infohus.dk",
}
# Links a crawler must not follow: signing out, files, and Wagtail's JavaScript catalogue; and
# two superuser-only areas where Wagtail's forms label a page chooser with the field's name "Page"
# (no gettext, so no catalogue can translate it): the moderation workflows, which the platform
# does not use, and the groups' page permissions, which roles replace.
SKIP = re.compile(
    r"/logout/|export|\.csv|\.xlsx|\.pdf|/download|/jsi18n/|/qr|/preview|/multiple/|/usage/"
    r"|/workflows/|/groups/"
)
MAX_PAGES = 200


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module and rolled back at its end; the staff logins get
    TOTP so that the MFA gate lets them into the admin."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    assert set(STAFF.values()) <= {login.email for login in DEMO_LOGINS}
    with django_db_blocker.unblock(), transaction.atomic():
        # A transactional test run before this module may have flushed Wagtail's root page.
        wagtail_roots_ensure()
        call_command("load_demo_data", stdout=StringIO())
        for email in STAFF.values():
            TOTP.activate(User.objects.get(email=email), generate_totp_secret())
        concerns_make()
        yield
        transaction.set_rollback(True)


def concerns_make() -> None:
    """The demo holds no concern (their content is personal): two of Hjørring's, reported
    through the intake, one of them past its deadline, so that the Infohus members' crawl
    reaches the overdue panel's rows, the list and a case."""
    import datetime as dt

    from django.utils import timezone

    from lms.concerns.models import Concern
    from lms.people.models import OrgUnit
    from tests.concerns.builders import concern_make

    infohus = OrgUnit.objects.get(code="HJK")
    late = concern_make(infohus=infohus, kind="citizen")
    concern_make(infohus=infohus, kind="partner", age_group="adult")
    Concern.objects.filter(pk=late.pk).update(
        acknowledge_due_on=timezone.localdate() - dt.timedelta(days=2)
    )


def kind(url: str) -> str:
    """One page of each kind is enough: ids become N; of the query, only whether it searches and
    whether it is a further page of the listing counts (not the sort order or the filters)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    keys = [key for key in ("q", "p") if query.get(key, "1") != "1" or key == "q" and key in query]
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client) -> dict[str, str]:
    """url -> HTML of every admin page reached from the admin home, one per kind of page."""
    pages: dict[str, str] = {}
    # The admin home, and the account pages (allauth's) that staff reach from the admin.
    queue = [
        "/admin/",
        "/admin/account/",
        "/konto/2fa/",
        "/konto/email/",
        "/konto/password/change/",
    ]
    kinds = set()
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        if kind(url) in kinds:
            continue
        kinds.add(kind(url))
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        found = [urljoin(url, link) for link in links(html)]
        if 'name="q"' in html and "q=" not in url:
            # The listing's search: results (and "no results") are pages of their own.
            found.append(url.split("?")[0] + "?" + urlencode({"q": "a"}))
        for link in found:
            parts = urlsplit(link)
            if parts.netloc not in ("", "testserver") or not parts.path.startswith("/admin/"):
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if not SKIP.search(link) and kind(link) not in kinds:
                queue.append(link)
    return pages


class Crawls(dict):
    """role -> {url: html}: each role walked once for the module, when a test first asks for it
    (a run of one role's tests walks that role only)."""

    def __init__(self, blocker):
        super().__init__()
        self.blocker = blocker

    def __missing__(self, role: str) -> dict[str, str]:
        from django.test import Client

        with self.blocker.unblock():
            client = Client()
            client.force_login(User.objects.get(email=STAFF[role]))
            self[role] = crawl(client)
        return self[role]

    def items(self):
        return [(role, self[role]) for role in STAFF]


@pytest.fixture(scope="module")
def crawled(demo, django_db_blocker):
    """role -> {url: html}, walked once per role for the module."""
    return Crawls(django_db_blocker)


def test_the_catalogues_leave_no_library_string_in_english(db):
    """Every string of the installed apps of Wagtail, allauth, Django and their helpers has Danish
    (the libraries' own catalogues, completed by the project's)."""
    missing = untranslated.untranslated_entries()
    assert missing == (), "\n".join(f"{e.msgid!r} ({e.source})" for e in missing[:40])


def test_the_checker_finds_english_text_attributes_and_menu_labels(db):
    entries = (
        Entry("Page %(page_num)s of %(total_pages)s", None, None, "django", "x"),
        Entry("Inspect", None, None, "django", "x"),
        Entry("New: %(model_name)s", None, None, "django", "x"),
        Entry("Images", None, None, "django", "x"),
        Entry("%(model_name)s '%(object)s' created.", None, None, "django", "x"),
    )
    html = """<html><head><title>Møder</title></head><body>
        <p>Page 2 of 7</p><p>Side 2 af 7</p>
        <a href="/x" aria-label="Inspect">Vis</a>
        <h1>New:
            Møde</h1>
        <div class="messages">Møde 'Temadag' created.</div>
        <script type="application/json">{"modules": [{"label": "Images", "url": "/admin/images/"}]}
        </script>
        <script>var s = "Images";</script>
        <div hidden>Inspect</div>
        </body></html>"""
    found = untranslated.untranslated_in(html, entries)
    assert [line.split(" <- ")[0] for line in found] == [
        "'Page 2 of 7'",
        "'Inspect'",
        "'New: Møde'",
        "\"Møde 'Temadag' created.\"",
        "'Images'",
    ]
    assert untranslated.untranslated_in("<p>Side 2 af 7</p><h1>Opret: Møde</h1>", entries) == []


def test_the_crawl_reaches_the_pages_each_role_uses(crawled):
    coordinator = list(crawled["coordinator"])
    kinds = (
        "/admin/",
        "/admin/account/",
        "/konto/2fa/",
        "/inspect/",
        "/history/",
        "/edit/",
        "/new/",
    )
    for needed in kinds:
        assert any(needed in url for url in coordinator), needed
    assert any(re.search(r"[?&]p=[2-9]", url) for url in coordinator), "a further page"
    assert any("q=a" in url for url in coordinator), "search results"
    for role, pages in crawled.items():
        assert len(pages) >= 5, role


@pytest.mark.parametrize(
    "role,needed",
    [
        # From the admin home: the urgent message form and the list of messages.
        ("leader", ("/admin/urgent/new/?", "/admin/urgent/?")),
        # The concerns' list and one case.
        ("ssp_consultant", ("/admin/concerns/?", "/admin/concerns/N/?")),
        ("police_representative", ("/admin/concerns/?", "/admin/concerns/N/?")),
    ],
)
def test_the_crawl_reaches_each_roles_everyday_pages(role, needed, crawled):
    reached = {kind(url) for url in crawled[role]}
    for url in needed:
        assert url in reached, (url, sorted(reached))


@pytest.mark.parametrize("role", list(STAFF))
def test_no_english_on_the_admin_pages_of(role, crawled):
    problems = {
        url: found for url, html in crawled[role].items() if (found := untranslated_in(html))
    }
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


# --- Privacy: the browser fetches nothing from another host --------------------------------------

# Attributes that make the browser fetch (or post to) their URL without a click.
FETCHED = re.compile(
    r"\s(?:src|srcset|data|poster|action|formaction|background|data-[\w-]*(?:url|src)[\w-]*)"
    r"""\s*=\s*["']([^"']*)""",
    re.I,
)
STYLESHEET = re.compile(r"""<link\b[^>]*\bhref\s*=\s*["']([^"']*)""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""", re.I)
ABSOLUTE = re.compile(r"(?:https?:)?//([\w.-]+)")


JSON_SCRIPT = re.compile(r'<script[^>]*type="application/json"[^>]*>(.*?)</script>', re.S)


def json_urls(value, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [url for k, v in value.items() for url in json_urls(v, k)]
    if isinstance(value, list):
        return [url for item in value for url in json_urls(item, key)]
    if isinstance(value, str) and key not in ("url", "href") and ABSOLUTE.match(value):
        return [value]
    return []


def third_party_fetches(html: str) -> list[str]:
    """URLs on another host that the page makes the browser load: scripts, styles, images,
    frames, avatars, forms, update checks. Plain links (<a href>) a person chooses to follow do
    not count."""
    urls = FETCHED.findall(html) + STYLESHEET.findall(html) + CSS_URL.findall(html)
    # The admin's JSON (the sidebar) that JavaScript turns into images: an avatar's URL, say. Its
    # "url" values are the menu's links.
    for text in JSON_SCRIPT.findall(html):
        urls += json_urls(json.loads(text))
    foreign = []
    for url in urls:
        for candidate in url.split(","):  # srcset lists several
            match = ABSOLUTE.match(candidate.strip())
            if match and match.group(1) not in ("testserver", "localhost"):
                foreign.append(candidate.strip())
    return foreign


def test_the_privacy_check_sees_avatars_scripts_and_update_checks():
    html = (
        '<img src="https://www.gravatar.com/avatar/abc?s=50">'
        '<script src="//cdn.example.com/x.js"></script>'
        '<div data-w-upgrade-url-value="https://releases.wagtail.org/latest.txt"></div>'
        '<a href="https://www.stopekstremisme.dk/">hotline</a><img src="/media/x.png">'
        '<script type="application/json">{"a": [{"avatarUrl": "//www.gravatar.com/avatar/d",'
        ' "url": "https://guide.wagtail.org/"}]}</script>'
    )
    assert third_party_fetches(html) == [
        "https://www.gravatar.com/avatar/abc?s=50",
        "//cdn.example.com/x.js",
        "https://releases.wagtail.org/latest.txt",
        "//www.gravatar.com/avatar/d",
    ]


@pytest.mark.parametrize("role", list(STAFF))
def test_the_admin_makes_the_browser_call_no_third_party(role, crawled):
    pages = crawled[role].items()
    problems = {url: found for url, html in pages if (found := third_party_fetches(html))}
    assert problems == {}, "\n".join(f"{url}: {found}" for url, found in problems.items())


def test_no_avatar_from_gravatar(client, mfa):
    """Wagtail would show every staff member's avatar from gravatar.com, with a hash of their
    email address in the URL."""
    from tests.factories import UserFactory

    client.force_login(mfa(UserFactory(is_superuser=True, is_staff=True)))
    for url in ("/admin/", "/admin/account/", "/admin/users/"):
        html = client.get(url).content.decode()
        assert "gravatar" not in html, url
        assert third_party_fetches(html) == [], url
