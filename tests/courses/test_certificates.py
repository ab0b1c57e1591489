"""Course certificates: the PDF (who may download it, what it says), reissue after expiry, and the
public verification page (what it shows, and that unknown codes are rate limited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from courses.models import Completion, CoursePage
from courses.selectors import certificates as certificate_selectors
from courses.selectors import courses as selectors
from courses.services import courses as services
from courses.services import quiz as quiz_services
from lms.competence.services import evidence as competence_services
from lms.people.models import Role
from tests.pdf import pdf_text

from .builders import ALL_RIGHT

# Every test starts from the same site and catalogue (see module_db).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_module")]


def danish(day: dt.date) -> str:
    with translation.override("da"):
        return date_format(day, "j. F Y")


def complete(course, user) -> Completion:
    """Take the course through the learning services and pass the quiz."""
    enrolment = services.enrolment_start(course=course, person=user.person, by=user)
    for lesson in selectors.course_lessons(course):
        services.lesson_complete(enrolment=enrolment, lesson=lesson, by=user)
    attempt = quiz_services.attempt_start(enrolment=enrolment, by=user)
    quiz_services.attempt_submit(attempt=attempt, answers=ALL_RIGHT, by=user)
    return Completion.objects.filter(enrolment=enrolment).order_by("-pk").first()


@pytest.fixture(autouse=True)
def _fresh_rate_limits(cache_fresh):
    # allauth keeps its counters in the cache, which outlives a test.
    yield


@pytest.fixture
def learner(make_learner):
    return make_learner(email="lise@example.dk")


@pytest.fixture
def completed(make_course, learner, competence):
    course = make_course(title="Bekymringstegn", competence=competence)
    return complete(course, learner)


def pdf_url(completion) -> str:
    return reverse("courses:certificate", args=(completion.certificate_code,))


def verify_url(completion) -> str:
    return reverse("courses:certificate_verify", args=(completion.certificate_code,))


# --- The PDF -------------------------------------------------------------------------------------


def test_the_person_downloads_their_certificate(client, learner, completed):
    client.force_login(learner)
    response = client.get(pdf_url(completed))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Kursusbevis" in text
    assert learner.person.name in text
    assert "Bekymringstegn" in text
    assert danish(completed.completed_on) in text
    assert completed.valid_until is not None
    assert danish(completed.valid_until) in text
    assert certificate_selectors.display_code(completed.certificate_code) in text
    # The address the QR code holds is printed too: the absolute verification page.
    assert settings.LMS_BASE_URL.rstrip("/") + verify_url(completed) in text
    assert "Infohus Hjørring" in text  # the issuing Infohus, from the site settings


def test_a_course_without_expiry_says_so(client, make_course, learner):
    completion = complete(make_course(title="Uden udløb"), learner)
    assert completion.valid_until is None
    client.force_login(learner)
    assert "uden udløb" in pdf_text(client.get(pdf_url(completion)).content)


def test_the_certificate_keeps_the_title_it_was_earned_under(client, learner, completed):
    course = CoursePage.objects.get(pk=completed.enrolment.course_id)
    course.title = "Bekymringstegn 2.0"
    course.save_revision().publish()
    client.force_login(learner)
    text = pdf_text(client.get(pdf_url(completed)).content)
    assert "Bekymringstegn 2.0" not in text
    assert "Bekymringstegn" in text
    assert certificate_selectors.certificate_facts(completed).course == "Bekymringstegn"


def test_completing_again_after_expiry_issues_a_new_certificate(
    client, make_course, learner, competence
):
    course = make_course(competence=competence)
    old = complete(course, learner)
    today = timezone.localdate()
    # Time passes: the old certificate ran out 70 days ago.
    Completion.objects.filter(pk=old.pk).update(
        completed_on=today - dt.timedelta(days=800), valid_until=today - dt.timedelta(days=70)
    )
    new = complete(course, learner)
    assert new.pk != old.pk
    assert new.certificate_code != old.certificate_code
    assert new.completed_on == today
    assert new.valid_until == competence_services.add_months(today, 24)

    client.force_login(learner)
    new_text = pdf_text(client.get(pdf_url(new)).content)
    assert danish(today) in new_text and danish(new.valid_until) in new_text
    old_text = pdf_text(client.get(pdf_url(old)).content)
    assert danish(today - dt.timedelta(days=70)) in old_text
    assert danish(new.valid_until) not in old_text

    assert "Beviset er udløbet" in client.get(verify_url(old)).content.decode()
    assert "Beviset er gyldigt" in client.get(verify_url(new)).content.decode()

    page = client.get(reverse("courses:certificates")).content.decode()
    assert certificate_selectors.display_code(old.certificate_code) in page
    assert certificate_selectors.display_code(new.certificate_code) in page


# --- Who may download ----------------------------------------------------------------------------


def test_another_employee_gets_404(client, make_learner, completed):
    other = make_learner(email="kollega@example.dk")
    client.force_login(other)
    assert client.get(pdf_url(completed)).status_code == 404


def test_anonymous_is_sent_to_login(client, completed):
    response = client.get(pdf_url(completed))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_coordinator_of_the_municipality_may_download(client, make_staff, tree, completed):
    client.force_login(make_staff(Role.COORDINATOR, tree["HJ"]))
    assert client.get(pdf_url(completed)).status_code == 200


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        (Role.COORDINATOR, "FR"),  # another municipality
        (Role.INSTITUTION_COORDINATOR, "HJ-GYM"),  # an institution the person is not in
        (Role.DEPARTMENT_CONTACT, "HJ"),  # aggregates only, no personal data
        (Role.STEERING_GROUP, "HJ"),
    ],
)
def test_staff_without_evidence_view_over_the_person_get_404(
    client, make_staff, tree, completed, role, unit
):
    client.force_login(make_staff(role, tree[unit]))
    assert client.get(pdf_url(completed)).status_code == 404


def test_an_unknown_code_gets_404(client, learner, completed):
    client.force_login(learner)
    assert client.get(reverse("courses:certificate", args=("AAAAAAAAAAAA",))).status_code == 404


def test_my_certificates_lists_only_my_own(client, make_course, make_learner, learner, completed):
    other = make_learner(email="kollega@example.dk")
    theirs = complete(make_course(title="Andet kursus"), other)
    client.force_login(learner)
    page = client.get(reverse("courses:certificates")).content.decode()
    assert completed.certificate_code in page
    assert theirs.certificate_code not in page
    assert "Andet kursus" not in page


def test_my_certificates_without_a_roster_entry(client, make_staff, tree):
    client.force_login(make_staff(Role.COORDINATOR, tree["HJ"]))
    response = client.get(reverse("courses:certificates"))
    assert response.status_code == 200
    assert "ikke knyttet til medarbejderlisten" in response.content.decode()


# --- Verification --------------------------------------------------------------------------------


def test_verification_needs_no_login_and_shows_only_the_certificate(client, learner, completed):
    person = learner.person
    response = client.get(verify_url(completed))
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    html = response.content.decode()
    assert "Beviset er gyldigt" in html
    for shown in (
        person.name,
        "Bekymringstegn",
        danish(completed.completed_on),
        danish(completed.valid_until),
    ):
        assert shown in html
    for hidden in (person.email, person.employee_number, person.org_unit.name, "Lærer"):
        assert hidden not in html


def test_verification_accepts_the_code_as_people_type_it(client, completed):
    typed = certificate_selectors.display_code(completed.certificate_code).lower()
    response = client.get(reverse("courses:certificate_verify_start"), {"code": f" {typed} "})
    assert response.status_code == 302
    assert response["Location"] == verify_url(completed)
    form = client.get(reverse("courses:certificate_verify_start"))
    assert form.status_code == 200
    assert 'name="code"' in form.content.decode()


def test_an_empty_code_is_an_error_on_the_form(client):
    response = client.get(reverse("courses:certificate_verify_start"), {"code": "--"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


def test_a_voided_evidence_withdraws_the_certificate(client, make_staff, tree, completed):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    competence_services.evidence_void(
        evidence=completed.evidence, reason="Registreret ved en fejl", by=coordinator
    )
    html = client.get(verify_url(completed)).content.decode()
    assert "Beviset er ikke gyldigt" in html
    assert "Beviset er gyldigt" not in html
    assert "Registreret ved en fejl" not in html


def test_unknown_codes_are_rate_limited_and_known_ones_never_count(client, completed):
    for _ in range(30):
        assert client.get(verify_url(completed)).status_code == 200
    for number in range(10):
        response = client.get(reverse("courses:certificate_verify", args=(f"WRONG{number}",)))
        assert response.status_code == 404
        assert "Intet bevis har denne kode" in response.content.decode()
    # Now even a real code is refused for a while: guessing stops here.
    refused = client.get(verify_url(completed))
    assert refused.status_code == 429
    assert completed.enrolment.person.name not in refused.content.decode()


def test_verification_reads_a_fixed_number_of_queries(client, completed, assert_queries):
    # The completion alone: the site settings come from the site cache (4 before).
    assert assert_queries(1, lambda: client.get(verify_url(completed))).status_code == 200


def test_facts_of_a_person_who_left_stay_verifiable(client, completed):
    person = completed.enrolment.person
    person.active = False
    person.left_on = timezone.localdate()
    person.save()
    assert "Beviset er gyldigt" in client.get(verify_url(completed)).content.decode()


def test_no_certificates_yet(client, make_learner):
    client.force_login(make_learner(email="ny@example.dk"))
    html = client.get(reverse("courses:certificates")).content.decode()
    assert "Du har ingen kursusbeviser endnu" in html
