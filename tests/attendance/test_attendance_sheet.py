"""The attendance sheet in the Wagtail admin: who may open it, saving marks, walk-ins, QR."""

import pytest
from django.urls import reverse

from attendance import services
from attendance.models import Attendance
from lms.competence.models import Evidence
from lms.people.models import Person, Role
from tests.factories import CompetenceFactory, PersonFactory

M = Attendance.Mark


@pytest.fixture
def staff(make_staff, mfa):
    return lambda role, unit: mfa(make_staff(role, unit))


@pytest.fixture
def setup(tree, live_meeting, make_employee, staff):
    people = [make_employee(tree["HJ-SKOLE"], name=f"Deltager {i}") for i in range(3)]
    facilitator = staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])
    meeting = live_meeting(
        tree["HJ"],
        # The facilitator is an institution coordinator: the meeting is aimed at their
        # institution too, so the admin shows it to them.
        audience=[tree["HJ-BFU"], tree["HJ-GYM"]],
        registrants=people,
        competence=CompetenceFactory(code="BEK"),
    )
    meeting.facilitators.add(facilitator)
    return {"meeting": meeting, "people": people, "facilitator": facilitator}


def sheet_url(meeting, name="sheet"):
    return reverse(f"attendance_admin:{name}", args=(meeting.pk,))


def test_facilitator_and_coordinator_may_open(client, setup, staff, tree):
    for user in (setup["facilitator"], staff(Role.COORDINATOR, tree["HJ"])):
        client.force_login(user)
        response = client.get(sheet_url(setup["meeting"]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Fremmødeliste" in html and "Deltager 0" in html and "Til stede" in html
        inspect = client.get(reverse("meetings:inspect", args=(setup["meeting"].pk,)))
        assert sheet_url(setup["meeting"]) in inspect.content.decode()


def test_confirmed_first_then_waiting_list(client, tree, make_meeting, make_employee, staff):
    first = make_employee(tree["HJ-SKOLE"], name="Aase Venteliste")
    second = make_employee(tree["HJ-SKOLE"], name="Bent Bekræftet")
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ"]], capacity=1)
    services.registration_create(meeting=meeting, person=second, by=None)
    services.registration_create(meeting=meeting, person=first, by=None)
    client.force_login(staff(Role.COORDINATOR, tree["HJ"]))
    html = client.get(sheet_url(meeting)).content.decode()
    assert html.index("Bent Bekræftet") < html.index("Aase Venteliste")


def test_others_are_refused(client, setup, staff, tree, make_employee):
    other_coordinator = staff(Role.COORDINATOR, tree["FR"])
    other_institution = staff(Role.INSTITUTION_COORDINATOR, tree["HJ-GYM"])  # not a facilitator
    employee = make_employee(tree["HJ-SKOLE"]).user
    for user in (other_coordinator, other_institution, employee):
        client.force_login(user)
        for name in ("sheet", "qr", "import"):
            response = client.get(sheet_url(setup["meeting"], name))
            assert response.status_code in (302, 403), (user, name)
        client.post(sheet_url(setup["meeting"]), {f"mark-{setup['people'][0].pk}": "present"})
    assert not Attendance.objects.exists()


def test_save_all_marks_in_one_post(client, setup):
    people = setup["people"]
    client.force_login(setup["facilitator"])
    response = client.post(
        sheet_url(setup["meeting"]),
        {
            f"mark-{people[0].pk}": "present",
            f"mark-{people[1].pk}": "late",
            f"mark-{people[2].pk}": "absent",
        },
    )
    assert response.status_code == 302
    marks = dict(Attendance.objects.values_list("person_id", "mark"))
    assert marks == {people[0].pk: M.PRESENT, people[1].pk: M.LATE, people[2].pk: M.ABSENT}
    assert Evidence.objects.filter(voided_at=None).count() == 2
    # Changing one to excused voids its evidence.
    client.post(sheet_url(setup["meeting"]), {f"mark-{people[1].pk}": "excused"})
    assert Evidence.objects.filter(voided_at=None).count() == 1


def test_bad_mark_saves_nothing(client, setup):
    people = setup["people"]
    client.force_login(setup["facilitator"])
    response = client.post(
        sheet_url(setup["meeting"]),
        {f"mark-{people[0].pk}": "present", f"mark-{people[1].pk}": "maybe"},
    )
    assert response.status_code == 200
    assert "Ukendt fremmødemarkering" in response.content.decode()
    assert not Attendance.objects.exists()


def test_walk_in_search_and_add(client, setup, tree):
    walker = PersonFactory(org_unit=tree["HJ-SKOLE"], name="Walter Walkin")
    PersonFactory(org_unit=tree["FR-SKOLE"], name="Walter Fremmed")
    client.force_login(setup["facilitator"])
    html = client.get(sheet_url(setup["meeting"]), {"q": "walter"}).content.decode()
    assert "Walter Walkin" in html and "Walter Fremmed" not in html
    client.post(sheet_url(setup["meeting"], "walk_in"), {"person": walker.pk})
    attendance = Attendance.objects.get(person=walker)
    assert attendance.walk_in and attendance.mark == M.PRESENT
    assert "Walter Walkin" in client.get(sheet_url(setup["meeting"])).content.decode()


def test_walk_in_new_external_person(client, setup, tree):
    client.force_login(setup["facilitator"])
    response = client.post(
        sheet_url(setup["meeting"], "walk_in"),
        {"name": "Ekstern Gæst", "email": "gaest@gym.dk", "org_unit": tree["HJ-GYM"].pk},
    )
    assert response.status_code == 302
    person = Person.objects.get(email="gaest@gym.dk")
    assert person.org_unit == tree["HJ-GYM"]
    assert Attendance.objects.get(person=person).walk_in
    # A unit outside the meeting: refused, nothing created.
    response = client.post(
        sheet_url(setup["meeting"], "walk_in"),
        {"name": "Fremmed", "email": "fremmed@gym.dk", "org_unit": tree["FR-GYM"].pk},
    )
    assert response.status_code == 400
    assert not Person.objects.filter(email="fremmed@gym.dk").exists()


def test_qr_page_shows_inline_svg(client, setup):
    client.force_login(setup["facilitator"])
    html = client.get(sheet_url(setup["meeting"], "qr")).content.decode()
    assert "<svg" in html and "QR-kode til tjek-ind" in html
    assert 'http-equiv="refresh"' in html


@pytest.mark.parametrize("count", [5, 50])
def test_sheet_query_count_is_constant(
    client, tree, live_meeting, make_employee, staff, assert_queries, count
):
    people = [make_employee(tree["HJ-SKOLE"]) for _ in range(count)]
    coordinator = staff(Role.COORDINATOR, tree["HJ"])
    meeting = live_meeting(tree["HJ"], audience=[tree["HJ"]], registrants=people, capacity=60)
    client.force_login(coordinator)
    client.post(sheet_url(meeting), {f"mark-{p.pk}": "present" for p in people[:3]})
    walker = PersonFactory(org_unit=tree["HJ-SKOLE"])
    client.post(sheet_url(meeting, "walk_in"), {"person": walker.pk})
    response = assert_queries(15, lambda: client.get(sheet_url(meeting)))
    assert response.status_code == 200
