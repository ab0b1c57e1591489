"""The newsletter mail: rendered once per send (CSS inlined, a plain-text alternative, the web
version and the route to report a concern), personalised per recipient only for externals (their
opt-out link and RFC 8058 one-click headers), and the opt-out page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from newsletters.emails.editions import OPTOUT_PLACEHOLDER, optout_token, optout_token_read
from newsletters.models import Delivery, OptOut
from newsletters.services import deliveries as engine

from .conftest import FakeSMTP

pytestmark = pytest.mark.django_db


def sent_to(smtp: FakeSMTP, address: str):
    return next(m for m in smtp.messages if m.to == [address])


@pytest.fixture
def delivered(make_send, staff):
    send = make_send(include_externals=True, start=True)
    smtp = FakeSMTP()
    engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    return send, smtp


def test_the_mail_is_html_with_inlined_css_and_a_text_alternative(delivered):
    send, smtp = delivered
    message = sent_to(smtp, "laerer@hj.dk")
    assert message.subject == "Nyhedsbrev \u2013 Forår 2027"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "<style" not in html
    assert 'class="nl-button"' in html and 'style="' in html
    assert "background: #1d5e8c" in html
    assert "Læs i browseren" in html
    assert f"{settings.LMS_BASE_URL}/nyhedsbreve/nyhedsbrev/" in html
    # The route to report a concern, in every mail's footer.
    assert "/bekymring/" in html
    text = message.body
    assert f"Læs i browseren: {settings.LMS_BASE_URL}/nyhedsbreve/nyhedsbrev/" in text
    assert "bekymring (https://example.dk/x)" in text
    assert "\u201cTal med din leder.\u201d" in text
    assert "Se handlekortet: https://example.dk/k" in text
    assert "/bekymring/" in text
    assert "<" not in text


def test_internal_staff_get_no_opt_out_link_and_no_unsubscribe_headers(delivered):
    _send, smtp = delivered
    message = sent_to(smtp, "laerer@hj.dk")
    assert "List-Unsubscribe" not in message.extra_headers
    assert "afmeld" not in message.body
    assert "afmeld" not in message.alternatives[0][0]


def test_external_recipients_get_their_own_opt_out_link_and_one_click_headers(delivered):
    send, smtp = delivered
    message = sent_to(smtp, "lektor@gym.dk")
    delivery = Delivery.objects.get(send=send, email="lektor@gym.dk")
    # The token holds the second it was signed: read it back rather than sign it again.
    prefix = "<http://127.0.0.1:8000/nyhedsbrev/afmeld/"
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(prefix) and header.endswith("/>")
    assert optout_token_read(header[len(prefix) : -2]) == delivery.pk
    url = header[1:-1]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    assert url in message.alternatives[0][0]
    assert OPTOUT_PLACEHOLDER not in message.alternatives[0][0]


def test_the_mail_is_rendered_at_the_start_and_edits_later_change_nothing(make_send, staff):
    send = make_send(start=True)
    edition = send.edition
    edition.title = "Ændret titel"
    edition.save_revision().publish()
    smtp = FakeSMTP()
    engine.deliveries_send_batch(send_id=send.pk, connection=smtp)
    assert {m.subject for m in smtp.messages} == {"Nyhedsbrev \u2013 Forår 2027"}


def test_through_djangos_backend_the_headers_reach_the_message(make_send, staff):
    send = make_send(include_externals=True, start=True)
    engine.deliveries_send_batch(send_id=send.pk)
    external = next(m for m in mail.outbox if m.to == ["lektor@gym.dk"])
    raw = external.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw


def test_the_opt_out_page_asks_then_records(delivered):
    send, _smtp = delivered
    delivery = Delivery.objects.get(send=send, email="lektor@gym.dk")
    url = f"/nyhedsbrev/afmeld/{optout_token(delivery)}/"
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200
    assert "Afmeld" in page.content.decode()
    assert not OptOut.objects.exists()
    done = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    optout = OptOut.objects.get()
    assert (optout.email, optout.person_id, optout.send_id) == (
        "lektor@gym.dk",
        delivery.person_id,
        send.pk,
    )
    # Once is enough; a second click changes nothing.
    assert client.post(url).status_code == 200
    assert OptOut.objects.count() == 1


def test_a_forged_or_internal_token_records_nothing(delivered):
    send, _smtp = delivered
    internal = Delivery.objects.get(send=send, email="laerer@hj.dk")
    client = Client()
    for token in ("forged", optout_token(internal)):
        assert client.get(f"/nyhedsbrev/afmeld/{token}/").status_code == 404
        assert client.post(f"/nyhedsbrev/afmeld/{token}/").status_code == 404
    assert not OptOut.objects.exists()


def test_an_opt_out_is_honoured_by_the_next_send(delivered, make_send):
    send, _smtp = delivered
    delivery = Delivery.objects.get(send=send, email="lektor@gym.dk")
    Client().post(f"/nyhedsbrev/afmeld/{optout_token(delivery)}/")
    later = make_send(include_externals=True, start=True)
    row = Delivery.objects.get(send=later, email="lektor@gym.dk")
    assert (row.status, row.skip_reason) == ("skipped", "opted_out")


def test_the_web_version_and_the_archive_render(delivered):
    send, _smtp = delivered
    client = Client()
    page = client.get("/nyhedsbreve/nyhedsbrev/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Forår 2027" in body and "Tal med din leder." in body
    archive = client.get("/nyhedsbreve/")
    assert archive.status_code == 200
    assert "/nyhedsbreve/nyhedsbrev/" in archive.content.decode()


def test_a_test_mail_goes_to_a_few_addresses_and_is_not_counted(make_send, coordinator, staff):
    from django.core.exceptions import ValidationError

    from newsletters.services import sends as send_services

    send = make_send(by=coordinator)
    sent = send_services.send_test(
        send=send, addresses=["mig@hj.dk", " kollega@hj.dk ", "mig@hj.dk"], by=coordinator
    )
    assert sent == 2
    assert [m.to for m in mail.outbox] == [["mig@hj.dk"], ["kollega@hj.dk"]]
    assert mail.outbox[0].subject == "Nyhedsbrev \u2013 Forår 2027"
    assert "Læs i browseren" in mail.outbox[0].alternatives[0][0]
    assert not Delivery.objects.exists()
    for addresses, code in (([], "test_addresses"), (["ikke en adresse"], "invalid_address")):
        with pytest.raises(ValidationError) as error:
            send_services.send_test(send=send, addresses=addresses, by=coordinator)
        assert error.value.error_dict["addresses"][0].code == code
    with pytest.raises(ValidationError):
        send_services.send_test(send=send, addresses=[f"a{n}@hj.dk" for n in range(6)], by=None)
    assert len(mail.outbox) == 2


def test_an_internal_mail_serialised_once_per_batch_is_the_mail_built_in_full(make_send, staff):
    from email import message_from_bytes

    from newsletters.emails.editions import MessagePreparer, RenderedEdition, message_build

    send = make_send(start=True)
    rendered = RenderedEdition(**send.rendered)
    preparer = MessagePreparer(rendered)
    rows = list(Delivery.objects.filter(send=send))
    prepared = [preparer.build(row).message().as_bytes(linesep="\r\n") for row in rows]
    full = message_from_bytes(
        message_build(rendered, delivery=rows[0]).message().as_bytes(linesep="\r\n")
    )
    parsed = [message_from_bytes(raw) for raw in prepared]
    assert [p["To"] for p in parsed] == [row.email for row in rows]
    assert len({p["Message-ID"] for p in parsed}) == len(rows)
    assert "placeholder" not in b"".join(prepared).decode()
    for part, expected in zip(parsed[0].walk(), full.walk(), strict=True):
        assert part.get_content_type() == expected.get_content_type()
        assert part.get_payload(decode=True) == expected.get_payload(decode=True)
    assert parsed[0]["Subject"] == full["Subject"]
