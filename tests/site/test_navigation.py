"""The header's links come from what the apps register (lms.site.navigation), in one order."""

import re

from django.urls import reverse

from tests.factories import UserFactory

NAV = re.compile(r'<nav class="site-nav"[^>]*>(.*?)</nav>', re.DOTALL)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>')


def _links(html: str) -> list[tuple[str, bool, str]]:
    nav = NAV.search(html).group(1)
    return [(url, bool(current), label) for url, current, label in LINK.findall(nav)]


def test_a_visitor_sees_the_action_cards_and_the_way_to_sign_in(client, seeded_site):
    links = _links(client.get("/").content.decode())
    assert [url for url, _current, _label in links] == [
        reverse("cards:list"),
        reverse("account_login"),
    ]


def test_a_signed_in_user_sees_every_apps_link_in_order(client, seeded_site):
    client.force_login(UserFactory())
    links = _links(client.get(reverse("competence:my_competences")).content.decode())
    assert [url for url, _current, _label in links] == [
        reverse("cards:list"),
        reverse("site:my_page"),
        reverse("attendance:meeting_list"),
        reverse("people:my_profile"),
        reverse("courses:my_learning"),
        reverse("competence:my_competences"),
    ]
    # Marked by the page's own view (competences) or by the feature's namespace (meetings).
    assert [url for url, current, _label in links if current] == [
        reverse("competence:my_competences")
    ]
    meetings = _links(client.get(reverse("attendance:meeting_list")).content.decode())
    assert [url for url, current, _label in meetings if current] == [
        reverse("attendance:meeting_list")
    ]
