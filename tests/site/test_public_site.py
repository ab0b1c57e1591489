"""What citizens and staff see on the public site: the route to report a concern on every page,
the footer, the contacts from the site settings and the language switch."""

import re

import pytest
from django.urls import reverse
from wagtail.models import Page, Site

from lms.site.models import HomePage, InfohusContact, InfohusSettings, InformationPage
from lms.site.services.pages import site_seed
from tests.factories import UserFactory

from .builders import DEMO_CONTACTS

# Every test starts from the same seeded site (see module_db).
pytestmark = pytest.mark.usefixtures("seeded_site_module")

CONCERN_LINK = re.compile(r'<a class="concern-link" href="([^"]+)"[^>]*>Er du bekymret\?</a>')
ACCESSIBILITY_LINK = re.compile(r'<a href="([^"]+)">Tilgængelighedserklæring</a>')


def front_end_urls():
    return [
        "/",
        "/er-du-bekymret/",
        "/tilgaengelighedserklaering/",
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
        reverse("cards:list"),
    ]


def test_seed_replaces_wagtails_welcome_page_with_a_danish_home_page(seeded_site):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.title == "Infohus Hjørring"
    assert not Page.objects.filter(slug="home", depth=2).exists()
    settings = InfohusSettings.for_site(site)
    assert settings.concern_page_id == seeded_site.concern_page.pk
    assert settings.accessibility_page_id == seeded_site.accessibility_page.pk
    assert [c.name for c in settings.contacts.all()] == [c.name for c in DEMO_CONTACTS]


def test_seed_keeps_a_real_root_page_that_someone_made(db):
    site = Site.objects.get(is_default_site=True)
    real = Page.get_first_root_node().add_child(
        instance=Page(title="Gammel forside", slug="gammel")
    )
    real.add_child(instance=Page(title="Underside", slug="underside"))
    site.root_page = real
    site.save()

    result = site_seed()

    assert Site.objects.get(pk=site.pk).root_page_id == result.home.pk
    assert Page.objects.filter(pk=real.pk).exists()


def test_seed_is_idempotent_and_keeps_editors_changes(seeded_site):
    page = seeded_site.concern_page
    page.title = "Bekymret for en ung?"
    page.save_revision().publish()
    counts = (Page.objects.count(), InfohusSettings.objects.get().contacts.count())

    again = site_seed(
        infohus_name="Infohus Hjørring",
        organisation_name="Hjørring Kommune",
        contacts=DEMO_CONTACTS,
    )

    assert not again.changed
    assert (Page.objects.count(), InfohusSettings.objects.get().contacts.count()) == counts
    assert InformationPage.objects.get(pk=page.pk).title == "Bekymret for en ung?"


def test_pages_render(client, seeded_site):
    for url in ("/", "/er-du-bekymret/", "/tilgaengelighedserklaering/"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="da">' in html
        assert html.count("<h1>") == 1
        assert '<a class="skip-link" href="#main">Gå til indhold</a>' in html
        assert '<main id="main"' in html


def test_concern_page_shows_where_to_get_help(client, seeded_site):
    html = client.get("/er-du-bekymret/").content.decode()
    assert "Er du bekymret?" in html
    assert "Hotline mod radikalisering" in html
    assert 'href="tel:41749090">41 74 90 90</a>' in html
    assert "alle dage kl. 8-22" in html
    assert 'href="tel:114">114</a>' in html
    assert 'href="tel:112">112</a>' in html
    for contact in DEMO_CONTACTS:
        assert contact.name in html
        assert contact.phone in html
        assert contact.email in html


def test_concern_page_follows_the_site_settings(client, seeded_site):
    settings = InfohusSettings.objects.get()
    settings.hotline_number = "41 74 90 91"
    settings.save()
    InfohusContact.objects.create(
        setting=settings, name="Ny Kontaktperson", title="SSP-konsulent", phone="72 00 00 00"
    )

    html = client.get("/er-du-bekymret/").content.decode()

    assert "41 74 90 91" in html
    assert "Ny Kontaktperson" in html


@pytest.mark.parametrize("url", front_end_urls())
def test_every_front_end_page_leads_to_the_concern_intake_and_the_accessibility_statement(
    client, seeded_site, url
):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert CONCERN_LINK.search(html), f"no 'Er du bekymret?' link on {url}"
    assert CONCERN_LINK.search(html).group(1) == "/bekymring/"
    assert ACCESSIBILITY_LINK.search(html), f"no accessibility link on {url}"
    assert ACCESSIBILITY_LINK.search(html).group(1) == "/tilgaengelighedserklaering/"
    assert "Mette Sørensen" in html  # the Infohus contacts in the footer
    # The Action Cards (what to look for, what to do) are one click away for everyone.
    assert f'href="{reverse("cards:list")}"' in html


def test_signed_in_pages_have_the_concern_link_too(client, seeded_site):
    user = UserFactory()
    client.force_login(user)
    html = client.get(reverse("people:my_profile")).content.decode()
    assert CONCERN_LINK.search(html)
    assert ACCESSIBILITY_LINK.search(html)
    assert "Log ud" in html and "Min profil" in html


def test_concern_link_leads_to_the_municipalitys_own_intake_when_set(client, seeded_site):
    settings = InfohusSettings.objects.get()
    settings.concern_intake_url = "https://sikker.example.dk/bekymring"
    settings.save()

    html = client.get("/").content.decode()

    assert CONCERN_LINK.search(html).group(1) == "https://sikker.example.dk/bekymring"
    # The built-in intake sends a bookmark or an old QR code there too.
    response = client.get(reverse("concerns:start"))
    assert response.status_code == 302
    assert response["Location"] == "https://sikker.example.dk/bekymring"


INFO_LINK = re.compile(r'<a href="([^"]+)">Læs mere om, hvor du kan få hjælp</a>')


def test_the_intake_links_to_the_information_page_of_the_setting(client, seeded_site):
    other = seeded_site.home.add_child(
        instance=InformationPage(title="Hjælp", slug="hjaelp", live=True)
    )
    settings = InfohusSettings.objects.get()
    settings.concern_page = other
    settings.save()

    html = client.get(reverse("concerns:start")).content.decode()

    assert INFO_LINK.search(html).group(1) == "/hjaelp/"


def test_the_information_link_falls_back_when_the_setting_is_empty_or_unpublished(
    client, seeded_site
):
    settings = InfohusSettings.objects.get()
    settings.concern_page = None
    settings.save()
    html = client.get(reverse("concerns:start")).content.decode()
    assert INFO_LINK.search(html).group(1) == "/er-du-bekymret/"

    seeded_site.concern_page.unpublish()
    html = client.get(reverse("concerns:start")).content.decode()
    assert INFO_LINK.search(html).group(1) == "/er-du-bekymret/"


def test_pages_render_without_any_site(client, db):
    Site.objects.all().delete()
    client.force_login(UserFactory())
    response = client.get(reverse("people:my_profile"))
    assert response.status_code == 200
    assert CONCERN_LINK.search(response.content.decode()).group(1) == "/bekymring/"


def test_language_switch_to_english(client, seeded_site):
    html = client.get("/").content.decode()
    form = re.search(r'<form class="language-form" action="([^"]+)" method="post">', html)
    assert form
    assert '<label for="language-select">Sprog</label>' in html
    assert '<select id="language-select" name="language">' in html

    response = client.post(form.group(1), {"language": "en", "next": "/er-du-bekymret/"})

    # The redirect lands on the same page, now in English.
    assert response.status_code == 302
    assert response["Location"].endswith("/er-du-bekymret/")
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html
    assert "Are you worried?</a>" in html
    assert "Accessibility statement</a>" in html
    assert '<option value="en" lang="en" selected>English</option>' in html
    assert "41 74 90 90" in html

    # The English page's form sends the language-neutral path, so switching back works.
    next_path = re.search(r'<input name="next" type="hidden" value="([^"]+)">', html).group(1)
    assert next_path == "/er-du-bekymret/"
    response = client.post(form.group(1), {"language": "da", "next": next_path})
    assert response["Location"] == "/er-du-bekymret/"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="da">' in html
    assert "Er du bekymret?</a>" in html


def test_language_switch_ignores_unknown_languages(client, seeded_site):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="da">' in html
    assert "Er du bekymret?" in html


def test_unpublished_pages_are_not_public(client, seeded_site):
    seeded_site.accessibility_page.unpublish()
    assert client.get("/tilgaengelighedserklaering/").status_code == 404


def test_site_settings_in_the_admin_need_a_signed_in_user_with_permission(client, seeded_site):
    site = seeded_site.site
    url = reverse("wagtailsettings:edit", args=["site", "infohussettings", site.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "/konto/login/" in response["Location"] or "/admin/login/" in response["Location"]

    client.force_login(UserFactory())  # an employee: no staff role, no admin access
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert InfohusSettings.objects.get().hotline_number == "41 74 90 90"


def test_page_titles_name_the_infohus_once(client, seeded_site):
    """Not "Infohus Hjørring · Infohus Hjørring" on the home page. (The admin's "- Wagtail" is
    replaced by the Infohus's name in lms/templates/wagtailadmin/admin_base.html.)"""
    title = re.compile(r"<title>\s*(.*?)\s*</title>", re.S)
    assert title.search(client.get("/").content.decode()).group(1) == "Infohus Hjørring"
    concern = title.search(client.get("/er-du-bekymret/").content.decode()).group(1)
    assert concern == "Er du bekymret? · Infohus Hjørring"
    login = title.search(client.get(reverse("account_login")).content.decode()).group(1)
    assert login.endswith(" · Infohus Hjørring") and login.count("Infohus Hjørring") == 1
