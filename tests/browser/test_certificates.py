"""An employee who completed a course finds their certificate from "Mine kompetencer", downloads
the PDF, and an anonymous visitor checks its code on the public verification page, in a real
browser, in Danish; a manager reads their team's page. axe-core finds no WCAG 2.1 A/AA violations
on the pages visited."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import Completion
from courses.selectors import certificates as certificate_selectors
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.people.models import Person
from tests.courses.builders import ALL_RIGHT, catalogue_make, course_make, learner_make
from tests.factories import CompetenceFactory, JobCategoryFactory, PersonFactory, requirement

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

COURSE = "Bekymringstegn i skolen"


def complete(course, user) -> Completion:
    """The learning flow has its own browser test: here the services take the course."""
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    for lesson in selectors.course_lessons(course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)
    return Completion.objects.get(enrolment=enrolment)


@pytest.fixture
def completed(site, municipality):
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    competence = CompetenceFactory(code="BEKYMRING", name="Kender bekymringstegn")
    requirement(competence=competence, org_unit=municipality["HJK"], job_categories=[teacher])
    course = course_make(
        catalogue_make(),
        title=COURSE,
        competence=competence,
        audience_units=[municipality["HJK"]],
    )
    user = learner_make(municipality["HJK-BAG"], job_category=teacher, email="laerer@example.dk")
    return user, complete(course, user)


def test_download_the_certificate_and_verify_it(page, browser, live_server, completed):
    user, completion = completed
    sign_in(page, user.email)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role(
        "link", name="Mine kompetencer"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Mine kompetencer")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Mine kursusbeviser").click()
    expect(page).to_have_url(re.compile(r"/laering/beviser/$"))
    expect(page.get_by_role("heading", level=1, name="Mine kursusbeviser")).to_be_visible()
    table = page.get_by_role("table", name="Dine kursusbeviser")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=COURSE))
    expect(row.get_by_role("cell").nth(2)).to_have_text("Gyldig")
    code = certificate_selectors.display_code(completion.certificate_code)
    expect(row.get_by_role("link", name=code)).to_be_visible()
    assert_accessible(page)

    with page.expect_download() as info:
        row.get_by_role("link", name=f"Hent kursusbeviset for {COURSE} (PDF)").click()
    download = info.value
    assert download.suggested_filename == f"kursusbevis-{completion.certificate_code}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # Someone the certificate is shown to: no account, types the code from the paper.
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    visitor = context.new_page()
    try:
        visitor.goto("/laering/bevis/verificer/")
        expect(visitor.get_by_role("heading", level=1, name="Tjek et kursusbevis")).to_be_visible()
        assert_accessible(visitor)
        visitor.get_by_label("Verifikationskode").fill(code.lower())
        visitor.get_by_role("button", name="Tjek koden").click()
        expect(visitor).to_have_url(
            re.compile(rf"/laering/bevis/verificer/{completion.certificate_code}/$")
        )
        expect(visitor.get_by_role("heading", level=2, name="Beviset er gyldigt")).to_be_visible()
        facts = visitor.locator("dl.certificate-facts")
        expect(facts).to_contain_text(user.person.name)
        expect(facts).to_contain_text(COURSE)
        expect(facts).not_to_contain_text(user.email)
        assert_accessible(visitor)

        visitor.get_by_label("Verifikationskode").fill("AAAA-BBBB-CCCC")
        visitor.get_by_role("button", name="Tjek koden").click()
        expect(visitor.get_by_role("alert")).to_contain_text("Intet bevis har denne kode")
        assert_accessible(visitor)
    finally:
        context.close()


def test_a_manager_reads_the_team_page(page, completed, municipality):
    user, _completion = completed
    learner = Person.objects.get(user=user)
    manager = learner_make(municipality["HJK-BAG"], email="leder@example.dk")
    learner.manager = manager.person
    learner.save(update_fields=["manager"])
    PersonFactory(
        name="Ny Kollega",
        org_unit=municipality["HJK-BAG"],
        job_category=learner.job_category,
        manager=manager.person,
    )

    sign_in(page, manager.email)
    page.goto("/mine-kompetencer/")
    page.get_by_role("link", name="Mit teams kompetencer").click()
    expect(page.get_by_role("heading", level=1, name="Mit teams kompetencer")).to_be_visible()
    table = page.get_by_role("table", name="Dit teams krævede kompetencer")
    expect(table.get_by_role("columnheader")).to_have_text(["Navn", "Kender bekymringstegn"])

    def status_of(name: str):
        return (
            table.get_by_role("row")
            .filter(has=page.get_by_role("rowheader", name=name, exact=True))
            .get_by_role("cell")
        )

    expect(status_of(learner.name)).to_have_text(re.compile(r"Gyldig til \d+\. \w+ \d{4}"))
    expect(status_of("Ny Kollega")).to_have_text("Mangler")
    assert_accessible(page)
