"""Header values come from what people type (a meeting's title, a unit's or a person's name): a line
break in one of them must neither stop the mail nor add a header. Every mail goes through
lms.mail, which makes each header value one line."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone

from attendance import services
from attendance.models import Meeting, MeetingRequest, Registration
from lms.mail import address_clean, header_clean, mail_send, message_clean
from lms.people.adapters import AccountAdapter

from .builders import accept_data

EVIL = "Møde\r\nBcc: x@evil.example"
R = Registration.Status


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def sent_headers(message) -> tuple[str, dict[str, str]]:
    """The subject as a reader sees it, and the headers, parsed back from the bytes on the wire."""
    parsed = message_from_bytes(message.message().as_bytes())
    subject = str(make_header(decode_header(parsed["Subject"])))
    return subject, {name.lower(): value for name, value in parsed.items()}


def assert_one_clean_line(message, prefix: str) -> None:
    subject, headers = sent_headers(message)
    assert subject == f"{prefix}Møde Bcc: x@evil.example"
    assert "\r" not in subject and "\n" not in subject
    assert "bcc" not in headers
    assert not message.bcc
    assert "x@evil.example" not in headers.get("to", "")


def test_every_mail_about_a_meeting_with_a_line_break_in_its_title_is_sent(
    tree, make_meeting, make_employee, on_commit
):
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1, title=EVIL)
    first, second = (make_employee(tree["HJ-SKOLE"]) for _ in range(2))
    mail.outbox.clear()
    with on_commit():
        seat = services.registration_create(meeting=meeting, person=first, by=first.user)
    with on_commit():
        waiting = services.registration_create(meeting=meeting, person=second, by=second.user)
    assert services.reminder_send(registration_id=seat.pk, now=timezone.now()) is True
    with on_commit():
        services.meeting_update(
            meeting=meeting,
            starts_at=meeting.starts_at + dt.timedelta(hours=1),
            ends_at=meeting.ends_at + dt.timedelta(hours=1),
        )
    with on_commit():
        services.registration_cancel(registration=seat, by=first.user)  # promotes the second
    with on_commit():
        services.meeting_cancel(meeting=Meeting.objects.get(pk=meeting.pk), reason="Syg", by=None)

    subjects = {}
    for message in mail.outbox:
        subject, _headers = sent_headers(message)
        subjects.setdefault(subject.split(":")[0], []).append(message)
    assert set(subjects) == {
        "Tilmelding bekræftet",
        "Du er på ventelisten",
        "Påmindelse",
        "Mødet er ændret",
        "Afmelding bekræftet",
        "Du har fået en plads",
        "Mødet er aflyst",
    }, subjects.keys()
    for prefix, messages in subjects.items():
        for message in messages:
            assert_one_clean_line(message, f"{prefix}: ")
    waiting.refresh_from_db()
    assert waiting.status == R.CONFIRMED


def test_request_mails_with_line_breaks_in_the_unit_and_the_title_are_sent(
    cast, make_request, on_commit
):
    unit = cast.units["HJ-GYM"]
    type(unit).objects.filter(pk=unit.pk).update(name="HJ\rGymnasium\n\u2028Bcc: x@evil.example")
    mail.outbox.clear()
    with on_commit():
        request = make_request()
    assert mail.outbox, "the coordinators are told of the new request"
    with on_commit():
        services.request_accept(
            request=MeetingRequest.objects.get(pk=request.pk),
            by=cast.coordinator,
            **accept_data(title=EVIL),
        )
    subjects = [sent_headers(message)[0] for message in mail.outbox]
    assert "Ny mødeanmodning: HJ Gymnasium Bcc: x@evil.example" in subjects
    assert "Jeres mødeanmodning er imødekommet: HJ Gymnasium Bcc: x@evil.example" in subjects
    for message in mail.outbox:
        _subject, headers = sent_headers(message)
        assert "bcc" not in headers and not message.bcc


def test_the_helper_cleans_every_header_value():
    assert header_clean("a\r\n\tb\x00c\x85d\u2028e  f ") == "a b c d e f"
    assert address_clean(("Ane\r\nBcc: x@evil.example", "ane@example.dk")) == (
        '"Ane Bcc: x@evil.example" <ane@example.dk>'
    )
    assert address_clean("Ane\r\n Lund <ane@example.dk>") == "Ane Lund <ane@example.dk>"
    assert address_clean(("Łukasz\nÇelik", "lc@example.dk")) == '"Łukasz Çelik" <lc@example.dk>'
    assert address_clean(('Bo "B" \\', "bo@example.dk")) == '"Bo \\"B\\" \\\\" <bo@example.dk>'
    assert address_clean("ane@example.dk") == "ane@example.dk"
    mail.outbox.clear()
    assert (
        mail_send(
            subject="Hej\rBcc: x@evil.example",
            to=[("Ane\r\nHansen", "ane@example.dk")],
            text="Brødtekst",
            from_email="Infohus\n Hjørring <infohus@example.dk>",
            reply_to=["Bo\r<bo@example.dk>"],
            headers={"X-Note": "a\r\nBcc: x@evil.example"},
        )
        == 1
    )
    [message] = mail.outbox
    subject, headers = sent_headers(message)
    assert subject == "Hej Bcc: x@evil.example"
    assert "bcc" not in headers
    assert headers["x-note"] == "a Bcc: x@evil.example"
    assert message.to == ['"Ane Hansen" <ane@example.dk>']
    assert parseaddr(headers["to"]) == ("Ane Hansen", "ane@example.dk")


@pytest.mark.django_db
def test_allauth_mails_are_cleaned_too(rf):
    from allauth.core import context

    message = mail.EmailMessage(subject="Bekræft\r\nBcc: x@evil.example", to=["a@example.dk"])
    assert message_clean(message).subject == "Bekræft Bcc: x@evil.example"
    with context.request_context(rf.get("/")):
        rendered = AccountAdapter().render_mail(
            "account/email/email_confirmation",
            "ane@example.dk",
            {"user": None, "activate_url": "http://x/", "key": "k", "code": "ABC"},
            headers={"X-Note": "a\r\nBcc: x@evil.example"},
        )
    assert rendered.extra_headers == {"X-Note": "a Bcc: x@evil.example"}
    rendered.message()  # builds without a BadHeaderError


def test_the_backend_cleans_mails_the_platform_does_not_build(settings):
    """Wagtail builds its own moderation and comment notifications (a page title in the
    subject): the EMAIL_BACKEND cleans them on their way out."""
    from wagtail.admin.mail import send_mail as wagtail_send_mail

    from lms.mail import HeaderCleaningBackend

    settings.LMS_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    wagtail_send_mail(
        "Til godkendelse: Kursus\r\nBcc: x@evil.example",
        "Tekst",
        ["redaktoer@example.dk"],
        connection=HeaderCleaningBackend(),
    )
    [message] = mail.outbox
    subject, headers = sent_headers(message)
    assert subject == "Til godkendelse: Kursus Bcc: x@evil.example"
    assert "bcc" not in headers
