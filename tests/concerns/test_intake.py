"""The public intake: the start page, the citizens' and the professionals' forms, the receipt
and the mails (a reference and a link, never content or names)."""

import re

import pytest
from django.core import mail
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse

from lms.concerns.models import Concern
from lms.people.models import Role
from lms.site.models import InfohusSettings

from .conftest import citizen_post, professional_post

START = reverse("concerns:start")
CITIZEN = reverse("concerns:citizen")
PROFESSIONAL = reverse("concerns:professional")
RECEIPT = reverse("concerns:receipt")
REFERENCE = re.compile(r"BK-[2-9A-HJ-NP-TV-Z]{5}-[2-9A-HJ-NP-TV-Z]{5}")

pytestmark = pytest.mark.django_db


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def assert_no_content(message, *texts):
    whole = message.subject + message.body
    for text in texts:
        assert text not in whole, f"{text!r} in a mail"


def test_start_page_says_112_114_and_the_notification_duty_before_anything_else(
    client, intake_site
):
    html = client.get(START).content.decode()
    first = html.index("Er der akut fare?")
    assert first < html.index("Hvem er du?")
    assert 'href="tel:112"' in html and 'href="tel:114"' in html
    assert "erstatter ikke en underretning" in html
    assert "https://www.borger.dk/" in html and "https://www.nyidanmark.dk/" in html
    assert html.index("En bekymring til Infohuset er ikke en underretning") < html.index(
        "Hvem er du?"
    )
    assert f'href="{CITIZEN}"' in html and f'href="{PROFESSIONAL}"' in html


def test_citizen_form_offers_the_national_hotline(client, intake_site):
    html = client.get(CITIZEN).content.decode()
    assert html.index("Er der akut fare?") < html.index("<form")
    assert 'href="tel:41749090"' in html and "alle dage kl. 8-22" in html
    assert "Jeg vil være anonym" in html


def test_an_anonymous_citizen_reports_about_a_child_to_the_ssp_consultant(
    client, intake_site, cast, sent
):
    with sent():
        response = client.post(CITIZEN, citizen_post())

    assert response.status_code == 302 and response["Location"] == RECEIPT
    concern = Concern.objects.get()
    assert concern.reporter_kind == "citizen" and concern.anonymous
    assert concern.route == "ssp_consultant" and concern.status == "received"
    assert concern.infohus == cast.units["HJ"]
    assert concern.reporter_name == concern.reporter_email == "" and concern.reporter_user is None
    assert concern.subject_name == "Peter Nabosen"
    assert REFERENCE.fullmatch(concern.reference)

    receipt = client.get(RECEIPT).content.decode()
    assert concern.reference in receipt
    assert "Peter Nabosen" not in receipt and "voldelig gruppe" not in receipt

    # The SSP consultant of HJ is told; nobody else, and no receipt (no address).
    assert [m.to for m in mail.outbox] == [["ssp@example.dk"]]
    notice = mail.outbox[0]
    assert concern.reference in notice.subject and concern.reference in notice.body
    assert f"/admin/concerns/{concern.pk}/" in notice.body
    assert_no_content(notice, "Peter Nabosen", "voldelig gruppe")


def test_a_citizens_concern_about_an_adult_goes_to_the_police_and_the_receipt_to_the_citizen(
    client, intake_site, cast, sent
):
    with sent():
        client.post(
            CITIZEN,
            citizen_post(
                age_group="adult",
                anonymous=None,
                reporter_name="Bente Borger",
                reporter_email="bente@example.dk",
            ),
        )

    concern = Concern.objects.get()
    assert concern.route == "police_representative" and not concern.anonymous
    assert concern.reporter_name == "Bente Borger"
    assert len(mails_to("politi@example.dk")) == 1
    (receipt,) = mails_to("bente@example.dk")
    assert concern.reference in receipt.subject and concern.reference in receipt.body
    assert "/bekymring/" in receipt.body
    assert_no_content(receipt, "Bente Borger", "Peter Nabosen", "voldelig gruppe")
    html = client.get(RECEIPT).content.decode()
    assert "sendt sagsnummeret til din e-mailadresse" in html


def test_ticking_anonymous_keeps_nothing_about_the_citizen(client, intake_site, cast, sent):
    with sent():
        client.post(CITIZEN, citizen_post(reporter_name="Bente", reporter_email="bente@example.dk"))
    concern = Concern.objects.get()
    assert concern.anonymous and concern.reporter_name == "" and concern.reporter_email == ""
    assert not mails_to("bente@example.dk")


def test_without_an_ssp_consultant_the_coordinators_receive_it(
    client, intake_site, tree, make_staff, sent
):
    make_staff(Role.COORDINATOR, tree["HJ"], email="eneste@example.dk")
    with sent():
        client.post(CITIZEN, citizen_post())
    assert [m.to for m in mail.outbox] == [["eneste@example.dk"]]


def test_a_signed_in_employee_finds_their_details_filled_in_and_reports(
    client, intake_site, cast, sent
):
    client.force_login(cast.employee)
    html = client.get(PROFESSIONAL).content.decode()
    assert 'value="Anna Medarbejder"' in html and 'value="medarbejder@example.dk"' in html
    assert "HJ Skole" in html  # the workplace from the roster
    assert 'name="reporter_organisation"' not in html

    with sent():
        response = client.post(PROFESSIONAL, professional_post(reporter_phone=""))

    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.reporter_kind == "staff" and concern.route == "coordinators"
    assert concern.reporter_user == cast.employee
    assert concern.reporter_unit == cast.units["HJ-SKOLE"]
    assert concern.leader_knows is True
    # HJ's coordinator, not FR's; the receipt to the employee.
    assert len(mails_to("tovholder@example.dk")) == 1
    assert not mails_to("fr@example.dk") and not mails_to("ssp@example.dk")
    (receipt,) = mails_to("medarbejder@example.dk")
    for message in mail.outbox:
        assert_no_content(message, "Elev Eleven", "voldsforherligende", "Anna Medarbejder")


def test_an_external_partner_gives_name_organisation_and_phone(client, intake_site, cast, sent):
    with sent():
        response = client.post(
            PROFESSIONAL,
            professional_post(reporter_name="", reporter_phone="", reporter_email=""),
        )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Bekymringen er ikke sendt" in html
    assert "Skriv dit navn." in html
    assert "Skriv din organisation." in html
    assert "Skriv et telefonnummer, vi kan ringe til dig på." in html
    assert not Concern.objects.exists() and not mail.outbox

    client.post(
        PROFESSIONAL,
        professional_post(reporter_organisation="Boligselskabet Nord", leader_knows="no"),
    )
    concern = Concern.objects.get()
    assert concern.reporter_kind == "partner" and concern.reporter_user is None
    assert concern.reporter_organisation == "Boligselskabet Nord"
    assert concern.leader_knows is False and concern.route == "coordinators"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"description": "   "}, "Beskriv, hvad du har set eller hørt."),
        ({"age_group": None}, "Vælg aldersgruppen for den person, du er bekymret for."),
        ({"reporter_email": "ikke-en-adresse", "anonymous": None}, "e-mailadresse"),
    ],
)
def test_bad_input_gets_a_danish_error_and_saves_nothing(
    client, intake_site, cast, sent, change, error
):
    with sent():
        response = client.post(CITIZEN, citizen_post(**change))

    assert response.status_code == 400
    html = response.content.decode()
    assert "Bekymringen er ikke sendt. Ret felterne, der er markeret nedenfor." in html
    assert error in html
    assert not Concern.objects.exists() and not mail.outbox


def test_posting_the_same_form_twice_saves_one_case_and_mails_once(client, intake_site, cast, sent):
    data = citizen_post(reporter_email="bente@example.dk", anonymous=None)

    with sent():
        first = client.post(CITIZEN, data)
        second = client.post(CITIZEN, data)

    assert first.status_code == second.status_code == 302
    assert Concern.objects.count() == 1
    assert len(mails_to("ssp@example.dk")) == 1 and len(mails_to("bente@example.dk")) == 1
    assert Concern.objects.get().reference in client.get(RECEIPT).content.decode()


def test_the_forms_without_an_account_are_rate_limited(client, intake_site, cast, cache_fresh):
    for _ in range(5):
        assert client.post(CITIZEN, citizen_post()).status_code == 302

    response = client.post(CITIZEN, citizen_post())

    assert response.status_code == 429
    assert "For mange forsøg. Vent et par minutter, og prøv igen." in response.content.decode()
    assert Concern.objects.count() == 5
    # A partner from the same address is limited too.
    assert (
        client.post(PROFESSIONAL, professional_post(reporter_organisation="X")).status_code == 429
    )


def test_the_receipt_needs_a_report_first(client, intake_site):
    response = client.get(RECEIPT)
    assert response.status_code == 302 and response["Location"] == START


def test_a_site_without_an_infohus_unit_offers_only_the_numbers(client, db):
    from lms.site.services.pages import site_seed
    from tests.factories import wagtail_roots_ensure

    wagtail_roots_ensure()
    site_seed(infohus_name="Infohus", organisation_name="Kommunen")
    html = client.get(START).content.decode()
    assert "Bekymringsformularen findes ikke på dette site" in html
    assert f'href="{CITIZEN}"' not in html
    response = client.post(CITIZEN, citizen_post())
    assert response.status_code == 302 and response["Location"] == START
    assert not Concern.objects.exists()


def test_every_intake_page_sends_to_the_municipalitys_own_intake_when_set(client, intake_site):
    settings = InfohusSettings.objects.get()
    settings.concern_intake_url = "https://sikker.example.dk/bekymring"
    settings.save()

    for url in (START, CITIZEN, PROFESSIONAL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "https://sikker.example.dk/bekymring"
    assert client.post(CITIZEN, citizen_post()).status_code == 302
    assert not Concern.objects.exists()


def test_the_concern_url_tag_is_the_one_route_features_use(rf: RequestFactory, intake_site):
    template = Template("{% load concerns %}{% concern_url %}")
    request = rf.get("/")
    assert template.render(RequestContext(request, {})) == START

    settings = InfohusSettings.objects.get()
    settings.concern_intake_url = "https://sikker.example.dk/bekymring"
    settings.save()
    assert template.render(RequestContext(rf.get("/"), {})) == "https://sikker.example.dk/bekymring"
    assert Template("{% load concerns %}{% concern_url %}").render(Context({})) == START


def test_a_signed_in_user_reporting_as_a_citizen_stays_anonymous_in_the_log_too(
    client, intake_site, cast
):
    from wagtail.models import ModelLogEntry

    client.force_login(cast.employee)
    client.post(CITIZEN, citizen_post())

    concern = Concern.objects.get()
    assert concern.reporter_user is None and concern.anonymous
    entry = ModelLogEntry.objects.get(object_id=str(concern.pk), action="lms.concern.create")
    assert entry.user_id is None
