"""An employee finds a required course in the catalogue, works through its lessons, fails the quiz
(and is told how many attempts remain), passes it, sees the completion on Min læring and downloads
the certificate, and a visitor following its QR code sees that it is valid: in a real browser, in
Danish; axe-core finds no WCAG 2.1 A/AA violations on the way, the quiz included."""

import re

import pytest
from playwright.sync_api import expect

from courses.models import Completion
from lms.competence.models import Evidence
from tests.courses.builders import catalogue_make, course_make, learner_make
from tests.factories import CompetenceFactory, JobCategoryFactory, requirement

from .conftest import assert_accessible, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed.
    pytest.mark.django_db(transaction=True),
]

REQUIRED = "Bekymringstegn i skolen"
OPTIONAL = "Aaa: introduktion til Infohuset"


def answer(page, *labels: str) -> None:
    for label in labels:
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Aflevér mine svar").click()


def test_employee_completes_a_required_course(page, browser, live_server, site, municipality):
    school = municipality["HJK-BAG"]
    teacher = JobCategoryFactory(code="TEACHER", name="Lærer")
    competence = CompetenceFactory(code="BEKYMRING", name="Kender bekymringstegn")
    requirement(competence=competence, org_unit=municipality["HJK"], job_categories=[teacher])
    catalogue = catalogue_make()
    course_make(catalogue, title=OPTIONAL, audience_units=[municipality["HJK"]])
    course = course_make(
        catalogue,
        title=REQUIRED,
        competence=competence,
        audience_units=[municipality["HJK"]],
        attempts_allowed=3,
        lessons=("Hvad er et bekymringstegn?", "Hvad gør du?"),
    )
    user = learner_make(school, job_category=teacher, email="laerer@example.dk")

    sign_in(page, user.email)
    page.goto(catalogue.url)
    expect(page.get_by_role("heading", level=1, name="Kurser")).to_be_visible()
    # The required course comes first, though its title sorts last, with its due date.
    first = page.locator(".course-card").first
    expect(first.get_by_role("heading", level=2)).to_have_text(REQUIRED)
    expect(first).to_contain_text("Påkrævet")
    expect(first).to_contain_text("Skal tages nu")
    assert_accessible(page)

    first.get_by_role("link", name=REQUIRED).click()
    expect(page.get_by_role("heading", level=1, name=REQUIRED)).to_be_visible()
    expect(page.get_by_text("0 af 2 lektioner gennemført")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start kurset").click()
    expect(page.get_by_role("heading", level=1, name="Hvad er et bekymringstegn?")).to_be_visible()
    expect(page.get_by_text("Lektion 1 af 2")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Trækker sig fra venner og fællesskaber")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Markér som gennemført, og fortsæt").click()
    expect(page.get_by_role("heading", level=1, name="Hvad gør du?")).to_be_visible()
    expect(page.get_by_text("1 af 2 lektioner gennemført")).to_be_visible()
    page.get_by_role("button", name="Markér som gennemført", exact=True).click()

    expect(page.locator(".messages")).to_contain_text("Du har gennemført alle lektioner.")
    expect(page.get_by_text("2 af 2 lektioner gennemført")).to_be_visible()
    assert_accessible(page)

    # Started, not completed: Min læring lists it under "I gang", with its deadline, and not
    # under "Skal tages" (issue 8).
    page.goto("/laering/")
    in_progress = page.locator("section", has=page.get_by_role("heading", name="I gang"))
    expect(in_progress.get_by_role("heading", level=3, name=REQUIRED)).to_be_visible()
    expect(in_progress).to_contain_text("2 af 2 lektioner gennemført")
    expect(in_progress).to_contain_text("Frist:")
    due = page.locator("section", has=page.get_by_role("heading", name="Skal tages"))
    expect(due).to_contain_text("Du har ingen kurser, der skal tages lige nu.")
    expect(due.get_by_role("heading", level=3, name=REQUIRED)).to_have_count(0)
    assert_accessible(page)
    in_progress.get_by_role("link", name=REQUIRED).click()
    page.get_by_role("button", name="Tag quizzen").click()

    expect(page.get_by_role("heading", level=1, name=f"Quiz: {REQUIRED}")).to_be_visible()
    expect(page.locator("fieldset")).to_have_count(3)
    assert_accessible(page)

    # Handing in with questions unanswered: the errors are listed and nothing is handed in.
    page.get_by_label("Taler med min leder", exact=True).check()
    page.get_by_role("button", name="Aflevér mine svar").click()
    expect(page.get_by_role("alert")).to_contain_text("Nogle spørgsmål er ikke besvaret")
    expect(page.get_by_label("Taler med min leder", exact=True)).to_be_checked()
    assert_accessible(page)

    answer(page, "Kontakter pressen", "Sandt", "Spiller fodbold")
    expect(page.get_by_role("heading", level=2, name="Ikke bestået")).to_be_visible()
    expect(page.get_by_text("Du har 2 forsøg tilbage.")).to_be_visible()
    expect(page.get_by_text("Nej: det skader eleven og sagen.")).to_be_visible()
    expect(page.get_by_text("Rigtigt: lederen kender vejen videre.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Tag quizzen igen").click()
    answer(
        page,
        "Taler med min leder",
        "Falsk",
        "Trækker sig fra venner",
        "Udtrykker had mod en gruppe",
    )
    expect(page.get_by_role("heading", level=2, name="Bestået")).to_be_visible()
    expect(page.get_by_text("du fik 100 %")).to_be_visible()
    assert_accessible(page)

    completion = Completion.objects.get(enrolment__course=course)
    assert Evidence.objects.get().pk == completion.evidence_id
    # The result links to the certificate and its verification page (issue 8).
    code = completion.certificate_code
    expect(page.get_by_role("link", name="Hent dit kursusbevis (PDF)")).to_have_attribute(
        "href", f"/laering/bevis/{code}/pdf/"
    )
    expect(page.get_by_role("link", name="Tjek beviset online")).to_have_attribute(
        "href", f"/laering/bevis/verificer/{code}/"
    )

    page.get_by_role("link", name="Se dine gennemførte kurser på Min læring").click()
    expect(page.get_by_role("heading", level=1, name="Min læring")).to_be_visible()
    row = page.get_by_role("row", name=REQUIRED)
    expect(row).to_contain_text(completion.valid_until.strftime("%Y"))
    expect(page.get_by_text("Du har ingen kurser, der skal tages lige nu.")).to_be_visible()
    assert_accessible(page)

    # The certificate, from Min læring; then someone it is shown to follows its QR code.
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile(r"^Hent \(PDF\)")).click()
    with open(info.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    context = browser.new_context(base_url=live_server.url, locale="da-DK")
    visitor = context.new_page()
    try:
        visitor.goto(f"/laering/bevis/verificer/{completion.certificate_code}/")
        expect(visitor.get_by_role("heading", level=2, name="Beviset er gyldigt")).to_be_visible()
        expect(visitor.locator("dl.certificate-facts")).to_contain_text(REQUIRED)
        assert_accessible(visitor)
    finally:
        context.close()
