"""axe-core finds no WCAG 2.1 A/AA violations on the pages citizens and staff meet first."""

import pytest

from .conftest import axe_violations, describe

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]


def check(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    violations = axe_violations(page)
    assert violations == [], f"{path}:\n{describe(violations)}"


def test_home_page(page, site):
    check(page, site.home.url)


def test_login_page(page, site):
    check(page, "/konto/login/")


def test_concern_page(page, site):
    assert site.concern_page.title == "Er du bekymret?"
    check(page, site.concern_page.url)
    # What a worried citizen comes for must be on the page itself.
    text = page.locator("main").inner_text()
    assert "41 74 90 90" in text
    assert "114" in text and "112" in text


def test_home_page_in_english(page, site):
    page.goto(site.home.url)
    page.get_by_label("Sprog").select_option("en")
    page.get_by_role("button", name="Skift sprog").click()
    assert page.locator("html").get_attribute("lang") == "en"
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_the_check_catches_a_violation(browser):
    # Guards the harness itself: zero violations above must mean axe looked, not that it never ran.
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<html lang="da"><title>t</title><main><img src="x.png"></main></html>')
        assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
    finally:
        context.close()
