"""A coordinator walks the admin in Chromium on the demo data: no English on the live pages (the
text JavaScript renders included, such as the sidebar menu), no request to any other host than
the platform's own, and no axe-core violations."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command

from lms.people.demo.people import DEMO_PASSWORD
from lms.people.models import User
from tests.factories import wagtail_roots_ensure
from tests.untranslated import links, untranslated_in, untranslated_in_texts

from .conftest import axe_violations, describe, totp_now

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

# What a person reads on the live page (and a screen reader announces): text, and the title,
# aria-label, placeholder and alt attributes, whatever JavaScript has made of the page.
LIVE_TEXTS = """() => {
    const texts = [document.title];
    const unread = "script, style, noscript, template, textarea, code, pre, [hidden]";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode;
        const parent = node.parentElement;
        if (parent && !parent.closest(unread)
                && node.textContent.trim()) {
            texts.push(node.textContent);
        }
    }
    const read = "[title], [aria-label], [placeholder], [alt]";
    for (const element of document.querySelectorAll(read)) {
        for (const name of ["title", "aria-label", "placeholder", "alt"]) {
            const value = element.getAttribute(name);
            if (value && value.trim()) texts.push(value);
        }
    }
    return texts.map((text) => text.split(/\\s+/).filter(Boolean).join(" "));
}"""


def sign_in_as_coordinator(page) -> None:
    from playwright.sync_api import expect

    user = User.objects.get(email="koordinator@demo.infohus.dk")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    page.goto("/konto/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("heading", name="Totrinsbekræftelse")).to_be_visible()
    page.get_by_label("Kode").fill(totp_now(secret))
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_load_state("networkidle")


def visit(page, path: str) -> tuple[list[str], list[str]]:
    """(English found, axe violations) on the page at `path`, once JavaScript has run."""
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    page.wait_for_load_state("networkidle")
    english = untranslated_in_texts(page.evaluate(LIVE_TEXTS)) + untranslated_in(page.content())
    return sorted(set(english)), axe_violations(page)


def test_a_coordinator_walks_the_admin_in_danish(page, live_server):
    wagtail_roots_ensure()
    call_command("load_demo_data", stdout=StringIO())
    foreign_requests = []
    own_host = urlsplit(live_server.url).netloc
    page.on(
        "request",
        lambda request: (
            urlsplit(request.url).netloc not in (own_host, "")
            and not request.url.startswith(("data:", "blob:"))
            and foreign_requests.append(request.url)
        ),
    )
    sign_in_as_coordinator(page)

    page.goto("/admin/")
    page.wait_for_load_state("networkidle")
    # The sidebar is drawn by JavaScript: its menu is there, in Danish.
    sidebar = page.locator("#wagtail-sidebar")
    assert "Hjælp" in sidebar.inner_text()
    menu = [url for url in links(page.content()) if url.startswith("/admin/")]
    meetings = "/admin/meetings/"
    assert meetings in menu
    html = page.goto(meetings).text()
    pk = re.search(r"/admin/meetings/edit/(\d+)/", html).group(1)
    meeting = [f"{meetings}{view}/{pk}/" for view in ("edit", "inspect", "history")]
    paths = list(
        dict.fromkeys(
            ["/admin/", *menu, *meeting, meetings + "?q=m", "/admin/persons/?p=2"]
            + ["/admin/meetings/new/", "/admin/account/", "/konto/2fa/"]
        )
    )

    problems = {}
    for path in paths:
        english, axe = visit(page, path)
        if english:
            problems[f"{path} English"] = "\n".join(english)
        if axe:
            problems[f"{path} axe"] = describe(axe)
    if foreign_requests:
        problems["requests to other hosts"] = "\n".join(foreign_requests)
    assert problems == {}, "\n".join(f"{where}:\n{what}" for where, what in problems.items())
