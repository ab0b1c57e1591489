"""Every page's header and footer come from the site cache (lms.site.selectors.site.site_info):
nothing an editor changes is ever shown stale, and the home page's routing finds a page in two
queries whatever its depth, with the same answers as Wagtail's own routing."""

import pytest
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from wagtail.models import Page, Site

from lms.site.models import HomePage, InfohusContact, InfohusSettings, InformationPage

# Every test starts from the same seeded site (see module_db).
pytestmark = pytest.mark.usefixtures("seeded_site_module")


def _settings() -> InfohusSettings:
    return InfohusSettings.for_site(Site.objects.get(is_default_site=True))


def test_a_warm_page_reads_no_settings_contacts_or_site(client, seeded_site, assert_queries):
    # The information page: the site, its root page and its type (Wagtail), the path (one query
    # however deep), the page's type, its view restrictions (Wagtail: ancestors and
    # restrictions) and its child pages' (public()); nothing for the header and the footer.
    assert assert_queries(7, lambda: client.get("/er-du-bekymret/")).status_code == 200


def test_settings_edited_show_at_once(client, seeded_site):
    assert "Infohus Hjørring" in client.get("/").content.decode()
    settings = _settings()
    settings.infohus_name = "Infohus Vendsyssel"
    settings.hotline_number = "11 22 33 44"
    settings.save()

    for url in ("/", "/er-du-bekymret/", "/bekymring/"):
        page = client.get(url).content.decode()
        assert "Infohus Vendsyssel" in page
        assert "11 22 33 44" in page


def test_contacts_added_edited_and_removed_show_at_once(client, seeded_site):
    client.get("/")
    settings = _settings()
    contact = InfohusContact.objects.create(setting=settings, name="Søren Sørensen", phone="1")
    assert "Søren Sørensen" in client.get("/er-du-bekymret/").content.decode()

    contact.name = "Søs Sørensen"
    contact.save()
    page = client.get("/er-du-bekymret/").content.decode()
    assert "Søs Sørensen" in page and "Søren Sørensen" not in page

    contact.delete()
    assert "Søs Sørensen" not in client.get("/er-du-bekymret/").content.decode()


def test_a_linked_page_renamed_or_unpublished_shows_at_once(client, seeded_site):
    client.get("/")
    page = seeded_site.accessibility_page
    page.slug = "tilgaengelighed"
    page.save_revision().publish()
    assert 'href="/tilgaengelighed/"' in client.get("/").content.decode()

    InformationPage.objects.get(pk=page.pk).unpublish()
    assert 'href="/tilgaengelighed/"' not in client.get("/").content.decode()


def test_a_page_added_to_the_menu_shows_at_once(client, seeded_site):
    client.get("/")
    home = HomePage.objects.get(pk=seeded_site.home.pk)
    home.add_child(instance=InformationPage(title="Nyt tilbud", slug="nyt", show_in_menus=True))
    assert "Nyt tilbud" in client.get("/").content.decode()


# --- Routing -------------------------------------------------------------------------------------


def _route(path: str, home: HomePage | None = None):
    request = RequestFactory().get(path)
    home = home or HomePage.objects.get(depth=2)
    return home.route(request, [part for part in path.split("/") if part])


@pytest.fixture
def deep(seeded_site):
    """Information pages three deep under the concern page."""
    parent = InformationPage.objects.get(pk=seeded_site.concern_page.pk)
    middle = parent.add_child(instance=InformationPage(title="Midt", slug="midt"))
    leaf = middle.add_child(instance=InformationPage(title="Blad", slug="blad"))
    return parent, middle, leaf


def test_routing_finds_a_deep_page_in_two_queries(deep, django_assert_num_queries):
    from tests.queries import caches_warm

    caches_warm()
    home = HomePage.objects.get(depth=2)
    with django_assert_num_queries(2):
        page, args, kwargs = _route("/er-du-bekymret/midt/blad/", home)
    assert type(page) is InformationPage
    assert page.pk == deep[2].pk
    assert (args, kwargs) == ([], {})
    assert page.get_parent().pk == deep[1].pk


@pytest.mark.parametrize(
    "path",
    ["/ingen/", "/er-du-bekymret/ingen/", "/er-du-bekymret/blad/", "/midt/blad/", "/blad/"],
)
def test_routing_a_missing_or_misplaced_page_is_a_404(deep, path):
    with pytest.raises(Http404):
        _route(path)


def test_routing_a_page_that_is_not_live_is_a_404_but_its_children_are_served(deep, client):
    parent, middle, leaf = deep
    InformationPage.objects.get(pk=middle.pk).unpublish()
    with pytest.raises(Http404):
        _route("/er-du-bekymret/midt/")
    # Wagtail serves a live page below a draft one: so does the shortcut.
    assert _route("/er-du-bekymret/midt/blad/").page.pk == leaf.pk
    assert client.get("/er-du-bekymret/midt/").status_code == 404


def test_routing_hands_the_rest_of_the_path_to_a_page_type_that_routes_itself(deep, monkeypatch):
    handed = []

    def route(self, request, path_components):
        handed.append((self.pk, list(path_components)))
        return HttpResponse()

    monkeypatch.setattr(InformationPage, "route", route)
    _route("/er-du-bekymret/midt/blad/ekstra/")
    assert handed == [(deep[0].pk, ["midt", "blad", "ekstra"])]


def test_a_plain_page_is_served(client, seeded_site):
    home = HomePage.objects.get(pk=seeded_site.home.pk)
    plain = home.add_child(instance=Page(title="Almindelig", slug="almindelig"))
    assert _route("/almindelig/").page.pk == plain.pk


def test_a_menu_page_restricted_or_freed_shows_at_once(client, seeded_site):
    from wagtail.models import PageViewRestriction

    home = HomePage.objects.get(pk=seeded_site.home.pk)
    page = home.add_child(
        instance=InformationPage(title="Nyt tilbud", slug="nyt", show_in_menus=True)
    )
    assert "Nyt tilbud" in client.get("/").content.decode()
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.LOGIN
    )
    assert "Nyt tilbud" not in client.get("/").content.decode()
    restriction.delete()
    assert "Nyt tilbud" in client.get("/").content.decode()


def test_the_home_page_reads_what_a_bare_page_reads(client, seeded_site, assert_queries):
    # The site, its root page and its view restrictions come with the route from the site cache
    # (lms.site.selectors.routes: from the third view on), the menu, the settings and the
    # contacts from the site cache too (9 before; 4 while routed by Wagtail).
    for _ in range(3):
        client.get("/")
    assert assert_queries(HOME_QUERIES, lambda: client.get("/")).status_code == 200


HOME_QUERIES = 0


def test_the_home_page_edited_shows_at_once(client, seeded_site):
    # The home page's content is rendered once per version of the site (site_fragment).
    client.get("/")
    home = HomePage.objects.get(pk=seeded_site.home.pk)
    home.intro = "<p>Et nyt velkommen.</p>"
    home.save_revision().publish()
    assert "Et nyt velkommen." in client.get("/").content.decode()


def test_the_cached_header_follows_who_is_signed_in_and_where(client, seeded_site):
    from tests.factories import UserFactory

    anonymous = client.get("/").content.decode()
    assert 'href="/konto/login/"' in anonymous and "/konto/logout/" not in anonymous

    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert "/konto/logout/" in html and 'href="/konto/login/"' not in html
    assert "csrfmiddlewaretoken" in html and ">Administration<" not in html

    # Someone who may use the administration sees its link; the page where the header's
    # concern link leads marks it as the current page, the others do not.
    client.force_login(UserFactory(is_superuser=True))
    assert ">Administration<" in client.get("/").content.decode()
    concern = client.get("/bekymring/").content.decode()
    assert 'class="concern-link" href="/bekymring/" aria-current="page"' in concern
    assert 'aria-current="page">Er du bekymret?' not in client.get("/").content.decode()

    client.logout()
    anonymous_again = client.get("/").content.decode()
    assert 'href="/konto/login/"' in anonymous_again and "/konto/logout/" not in anonymous_again
