"""QR self check-in: the rotating token, its time window, and the front-end page."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from attendance.lib import checkin
from attendance.models import Attendance, Registration
from lms.competence.models import Evidence
from tests.factories import CompetenceFactory, PersonFactory

M = Attendance.Mark


@pytest.fixture
def setup(tree, live_meeting, make_employee):
    employee = make_employee(tree["HJ-SKOLE"])
    external = PersonFactory(org_unit=tree["HJ-GYM"], email="gaest@gym.dk")
    competence = CompetenceFactory(code="BEK")

    def make(started=dt.timedelta(minutes=5)):
        return live_meeting(
            tree["HJ"],
            audience=[tree["HJ-BFU"], tree["HJ-GYM"]],
            started=started,
            registrants=[employee, external],
            competence=competence,
        )

    return {"make": make, "employee": employee, "external": external}


def url(meeting, token):
    return reverse("attendance:check_in", kwargs={"pk": meeting.pk, "token": token})


def test_token_rotates_and_previous_window_is_accepted(setup):
    meeting = setup["make"]()
    now = timezone.now()
    checkin.token_check(token=checkin.token_make(meeting=meeting, now=now), meeting=meeting)
    previous = checkin.token_make(meeting=meeting, now=now - dt.timedelta(minutes=5))
    checkin.token_check(token=previous, meeting=meeting, now=now)
    old = checkin.token_make(meeting=meeting, now=now - dt.timedelta(minutes=11))
    with pytest.raises(checkin.TokenError) as info:
        checkin.token_check(token=old, meeting=meeting, now=now)
    assert info.value.code == "expired"


def test_signed_in_person_is_checked_in_present(client, setup):
    meeting = setup["make"]()
    client.force_login(setup["employee"].user)
    response = client.get(url(meeting, checkin.token_make(meeting=meeting)))
    assert response.status_code == 200
    assert "Du er tjekket ind" in response.content.decode()
    attendance = Attendance.objects.get(meeting=meeting, person=setup["employee"])
    assert attendance.mark == M.PRESENT and attendance.method == Attendance.Method.QR
    assert Evidence.objects.filter(person=setup["employee"], voided_at=None).count() == 1
    # Opening it again changes nothing.
    client.get(url(meeting, checkin.token_make(meeting=meeting)))
    assert Attendance.objects.count() == 1 and Evidence.objects.count() == 1


def test_late_after_ten_minutes(client, setup):
    meeting = setup["make"](started=dt.timedelta(minutes=25))
    client.force_login(setup["employee"].user)
    client.get(url(meeting, checkin.token_make(meeting=meeting)))
    assert Attendance.objects.get(person=setup["employee"]).mark == M.LATE


@pytest.mark.parametrize(
    ("started", "message"),
    [
        (-dt.timedelta(minutes=45), "Tjek-ind er ikke åbnet endnu"),
        (dt.timedelta(hours=2, minutes=45), "Tjek-ind til dette møde er lukket"),
    ],
)
def test_outside_window_records_nothing(client, setup, started, message):
    meeting = setup["make"](started=started)
    client.force_login(setup["employee"].user)
    response = client.get(url(meeting, checkin.token_make(meeting=meeting)))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Attendance.objects.exists() and not Evidence.objects.exists()


def test_forged_token_records_nothing(client, setup):
    meeting = setup["make"]()
    other = setup["make"]()
    client.force_login(setup["employee"].user)
    forged = [
        "nonsense",
        signing.Signer(salt="something else").sign(
            f"{meeting.pk}.{checkin.window_index(timezone.now())}"
        ),
        checkin.token_make(meeting=other),  # another meeting's genuine token
        checkin.token_make(meeting=meeting, now=timezone.now() + dt.timedelta(minutes=10)),
    ]
    for token in forged:
        response = client.get(url(meeting, token))
        assert response.status_code == 400
        assert "Dette tjek-ind-link er ikke gyldigt" in response.content.decode()
    assert not Attendance.objects.exists()


def test_rotated_out_token_records_nothing(client, setup):
    meeting = setup["make"]()
    client.force_login(setup["employee"].user)
    old = checkin.token_make(meeting=meeting, now=timezone.now() - dt.timedelta(minutes=11))
    response = client.get(url(meeting, old))
    assert response.status_code == 400
    assert "Dette tjek-ind-link er udløbet" in response.content.decode()
    assert not Attendance.objects.exists()


def code_of(meeting, person) -> str:
    return Registration.objects.get(meeting=meeting, person=person).booking_code


def test_email_alone_does_not_check_in(client, setup):
    """The QR link is shown to the whole room and colleagues know each other's addresses: the
    address alone must not check anyone in (nor record their competence)."""
    meeting = setup["make"]()
    link = url(meeting, checkin.token_make(meeting=meeting))
    page = client.get(link).content.decode()
    assert 'type="email"' in page and 'name="code"' in page
    assert "Din tilmeldingskode" in page
    response = client.post(link, {"email": "gaest@gym.dk"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Skriv tilmeldingskoden fra din bekræftelsesmail." in body
    assert 'aria-invalid="true"' in body
    assert not Attendance.objects.exists()
    assert not Evidence.objects.filter(person=setup["external"]).exists()


def test_email_and_booking_code_check_in_and_record_competence(client, setup):
    meeting = setup["make"]()
    code = code_of(meeting, setup["external"])
    link = url(meeting, checkin.token_make(meeting=meeting))
    # Typed as people type it: small letters, a space in the middle.
    typed = f"{code[:3].lower()} {code[3:].lower()}"
    response = client.post(link, {"email": "GAEST@gym.dk", "code": typed})
    assert response.status_code == 200
    assert "Du er tjekket ind" in response.content.decode()
    attendance = Attendance.objects.get(person=setup["external"])
    assert (attendance.mark, attendance.method) == (M.PRESENT, Attendance.Method.QR)
    assert Evidence.objects.filter(
        person=setup["external"], source_reference=f"meeting:{meeting.pk}", voided_at=None
    ).exists()


def test_a_wrong_code_records_nothing(client, setup):
    meeting = setup["make"]()
    right = code_of(meeting, setup["external"])
    # Someone else's code (the employee's) with the guest's address is wrong too.
    others = code_of(meeting, setup["employee"])
    wrong = next(c for c in ("ACDEFG", "HJKMNP") if c != right)
    link = url(meeting, checkin.token_make(meeting=meeting))
    for code in (wrong, others):
        response = client.post(link, {"email": "gaest@gym.dk", "code": code})
        assert response.status_code == 400
        body = response.content.decode()
        assert "Vi kunne ikke tjekke dig ind med denne e-mailadresse og tilmeldingskode." in body
        assert 'role="alert"' in body
    assert not Attendance.objects.exists()
    assert not Evidence.objects.exists()


def test_external_email_no_match_gives_the_same_message(client, setup, tree):
    meeting = setup["make"]()
    # Someone on the roster but not registered, and an address nobody has.
    PersonFactory(org_unit=tree["HJ-GYM"], email="kendt@gym.dk")
    link = url(meeting, checkin.token_make(meeting=meeting))
    bodies = []
    for email in ("kendt@gym.dk", "ukendt@example.dk", "gaest@gym.dk"):
        response = client.post(link, {"email": email, "code": "ACDEFG"})
        assert response.status_code == 400
        body = response.content.decode()
        assert "Vi kunne ikke tjekke dig ind" in body
        bodies.append(body.replace(email, ""))
    heads = [body.split("<form")[0].split("<h1")[1] for body in bodies]
    assert heads[0] == heads[1] == heads[2]
    assert not Attendance.objects.exists()


def test_signed_in_outside_audience_refused(client, setup, make_employee, tree):
    meeting = setup["make"]()
    stranger = make_employee(tree["FR-SKOLE"])
    client.force_login(stranger.user)
    response = client.get(url(meeting, checkin.token_make(meeting=meeting)))
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_failed_email_guesses_are_rate_limited(client, setup, cache_fresh):
    """The email check cannot be used to find out who signed up: after 10 failed guesses from
    one address the page refuses for a while, even a correct address, and records nothing."""
    meeting = setup["make"]()
    link = url(meeting, checkin.token_make(meeting=meeting))
    for n in range(10):
        data = {"email": f"gaet{n}@example.dk", "code": "ACDEFG"}
        assert client.post(link, data).status_code == 400
    response = client.post(
        link, {"email": "gaest@gym.dk", "code": code_of(meeting, setup["external"])}
    )
    assert response.status_code == 429
    assert "For mange forsøg" in response.content.decode()
    assert not Attendance.objects.exists()


def test_successful_check_ins_do_not_count_towards_the_limit(client, setup, tree, cache_fresh):
    """A room of guests behind one wifi address all check in."""
    meeting = setup["make"]()
    link = url(meeting, checkin.token_make(meeting=meeting))
    data = {"email": "gaest@gym.dk", "code": code_of(meeting, setup["external"])}
    for _ in range(12):
        assert client.post(link, data).status_code == 200
