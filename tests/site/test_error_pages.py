"""Dead ends: every error a user can meet is a Danish page in the site's look, with the right
status, with DEBUG off (the test settings), not Django's bare "Not Found"."""

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.factories import PersonFactory, UserFactory

# Every test starts from the same seeded site (see module_db).
pytestmark = pytest.mark.usefixtures("seeded_site_module")


def test_debug_is_off_in_these_tests(settings):
    assert settings.DEBUG is False


def test_an_unknown_address_is_a_danish_404_in_the_site_look(client, seeded_site):
    response = client.get("/findes-ikke/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Siden findes ikke" in html
    assert 'class="site-header"' in html
    assert "Infohus Hjørring" in html  # base.html with the site's settings
    assert "Er du bekymret?" in html  # the route to report a concern is still there
    assert "Not Found" not in html


def test_a_refused_page_is_a_danish_403(client, seeded_site, tree):
    # An employee may not ask for meetings: the request list refuses them.
    user = UserFactory()
    PersonFactory(user=user, email=user.email, org_unit=tree["HJ-SKOLE"])
    client.force_login(user)
    response = client.get("/moeder/anmodninger/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ingen adgang" in html
    assert "Kontakt din Infohus-koordinator" in html or "kontakt din Infohus-koordinator" in html
    assert "Gå til Min side" in html
    assert 'class="site-header"' in html


def test_a_bad_host_is_a_danish_400_that_needs_nothing_from_the_request(client, seeded_site):
    response = client.get("/", HTTP_HOST="angriber.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ugyldig forespørgsel" in html
    assert 'class="site-header"' in html
    assert "Bad Request" not in html


@pytest.mark.urls("tests.site.error_urls")
def test_a_server_error_is_a_danish_500(seeded_site):
    client = Client(raise_request_exception=False)
    response = client.get("/test-fejl/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Der gik noget galt" in html
    assert "114" in html and "112" in html
    assert 'class="site-header"' in html


def test_the_500_page_renders_without_a_request_and_without_the_database(db, assert_queries):
    # Django renders 500.html with no request and no context processors; the database may be
    # what failed, so the page must not touch it.
    html = assert_queries(0, lambda: render_to_string("500.html"))
    assert "Der gik noget galt" in html
    assert "lms/site.css" in html


def test_a_failed_csrf_check_is_a_danish_403(seeded_site, tree):
    user = UserFactory()
    PersonFactory(user=user, email=user.email, org_unit=tree["HJ-SKOLE"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/konto/logout/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Formularen er udløbet" in html
    assert "Intet er gemt" in html
    assert 'class="site-header"' in html
    assert "CSRF verification failed" not in html
    # Still signed in: nothing happened.
    assert client.get("/min-side/").status_code == 200
