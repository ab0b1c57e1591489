"""Sensible ranges for every date and number a user enters (issue 8, security 4): the service
refuses what is out of range with a clear message and changes nothing; an existing meeting with
absurd values still renders."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import CardDistribution, Meeting, MeetingRequest
from lms import bounds
from lms.competence.models import Competence, Evidence
from lms.competence.services import competences as competence_services
from lms.competence.services import evidence as evidence_services
from lms.people import services as people_services
from lms.people.models import Role
from tests.factories import CompetenceFactory, PersonFactory

UTC = dt.UTC


def _messages(error, field):
    return " ".join(error.value.message_dict[field])


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("cancellation_cutoff_hours", 10**9, "fra 0 til 2160"),
        ("cancellation_cutoff_hours", 2161, "fra 0 til 2160"),
        ("capacity", 10_001, "fra 1 til 10000"),
        ("reminder_days", 61, "fra 0 til 60"),
        ("starts_at", dt.datetime(1, 1, 1, 10, tzinfo=UTC), "01.01.2000"),
        ("ends_at", dt.datetime(9999, 12, 31, 10, tzinfo=UTC), "31.12.2100"),
    ],
)
def test_meeting_values_out_of_range_are_refused(tree, make_meeting, field, value, expected):
    meeting = make_meeting(tree["HJ"], publish=False)
    before = Meeting.objects.filter(pk=meeting.pk).values().get()
    with pytest.raises(ValidationError) as error:
        services.meeting_update(meeting=meeting, by=None, **{field: value})
    assert expected in _messages(error, field)
    assert Meeting.objects.filter(pk=meeting.pk).values().get() == before


def test_meeting_values_in_range_are_accepted(tree, make_meeting):
    meeting = make_meeting(tree["HJ"], publish=False)
    services.meeting_update(
        meeting=meeting, by=None, cancellation_cutoff_hours=2160, capacity=10_000, reminder_days=60
    )
    meeting.refresh_from_db()
    assert (meeting.cancellation_cutoff_hours, meeting.capacity) == (2160, 10_000)


def test_a_meeting_lasts_at_most_a_week(tree, make_meeting):
    meeting = make_meeting(tree["HJ"], publish=False)
    with pytest.raises(ValidationError) as error:
        services.meeting_update(
            meeting=meeting, by=None, ends_at=meeting.starts_at + dt.timedelta(days=8)
        )
    assert "højst 7 dage" in _messages(error, "ends_at")


@pytest.mark.parametrize(
    "change",
    [
        {"ends_at": dt.datetime(9999, 12, 31, 12, tzinfo=UTC)},
        {"starts_at": dt.datetime(1, 1, 1, 12, tzinfo=UTC)},
        {"cancellation_cutoff_hours": bounds.CUTOFF_HOURS.maximum},
    ],
)
def test_an_existing_absurd_meeting_still_renders(
    client, tree, make_meeting, make_employee, make_staff, mfa, change
):
    """Saved before the ranges existed (the migration caps only the numbers): its pages render
    for everyone and the coordinator repairs it."""
    meeting = make_meeting(tree["HJ"], audience=[tree["HJ-BFU"]])
    person = make_employee(tree["HJ-SKOLE"])
    services.registration_create(meeting=meeting, person=person, by=None)
    Meeting.objects.filter(pk=meeting.pk).update(**change)
    client.force_login(person.user)
    assert client.get(f"/moeder/{meeting.pk}/").status_code == 200
    assert client.get("/moeder/").status_code == 200
    coordinator = mfa(make_staff(Role.COORDINATOR, tree["HJ"]))
    client.force_login(coordinator)
    for name in ("inspect", "edit"):
        url = reverse(f"meetings:{name}", args=[meeting.pk])
        assert client.get(url).status_code == 200, url
    meeting.refresh_from_db()
    starts_at = timezone.now() + dt.timedelta(days=3)
    services.meeting_update(
        meeting=meeting,
        by=coordinator,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        cancellation_cutoff_hours=24,
    )


def test_meeting_request_ranges(tree, make_staff):
    asker = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])
    today = timezone.localdate()
    good = {
        "org_unit": tree["HJ-SKOLE"],
        "kind": Meeting.Kind.INFORMATION,
        "expected_participants": 20,
        "preferred_from": today + dt.timedelta(days=7),
        "preferred_until": today + dt.timedelta(days=30),
        "by": asker,
    }
    for field, value in (
        ("expected_participants", 10_001),
        ("preferred_until", dt.date(9999, 12, 31)),
    ):
        with pytest.raises(ValidationError) as error:
            services.request_create(**{**good, field: value})
        assert field in error.value.message_dict
    assert not MeetingRequest.objects.exists()
    services.request_create(**good)


def test_distribution_quantity_and_date(tree, make_card, coordinators):
    card = make_card()
    version = card.versions.get()
    for changes in ({"quantity": 100_001}, {"handed_out_on": dt.date(1999, 12, 31)}):
        with pytest.raises(ValidationError):
            services.distribution_record(
                version=version,
                **{"quantity": 10, "org_unit": tree["HJ-SKOLE"], **changes},
                by=coordinators["author"],
            )
    assert not CardDistribution.objects.exists()


def test_card_review_date(tree, make_card, new_version, coordinators):
    card = make_card()
    draft = services.version_draft_create(card=card, by=coordinators["author"])
    with pytest.raises(ValidationError) as error:
        services.version_update(
            version=draft, review_date=dt.date(9999, 1, 1), by=coordinators["author"]
        )
    assert "31.12.2100" in _messages(error, "review_date")


def test_competence_validity(db):
    with pytest.raises(ValidationError) as error:
        competence_services.competence_create(code="X", name="X", validity_months=601)
    assert "fra 1 til 600" in _messages(error, "validity_months")
    assert not Competence.objects.exists()
    competence_services.competence_create(code="X", name="X", validity_months=600)


def test_evidence_and_person_dates(tree):
    person = PersonFactory(org_unit=tree["HJ-SKOLE"])
    competence = CompetenceFactory()
    with pytest.raises(ValidationError):
        evidence_services.evidence_record(
            person=person,
            competence=competence,
            source=Evidence.Source.MANUAL,
            source_reference="",
            achieved_on=dt.date(1, 1, 1),
        )
    assert not Evidence.objects.exists()
    person.active = False
    person.left_on = dt.date(1, 1, 1)
    with pytest.raises(ValidationError) as error:
        people_services.person_validate(person=person)
    assert "left_on" in error.value.message_dict


def test_one_place_for_the_ranges():
    assert bounds.CUTOFF_HOURS.maximum == 90 * 24
    assert bounds.date_error(dt.date(2000, 1, 1)) is None
    assert bounds.date_error(dt.date(2101, 1, 1)) is not None


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [("attempts_allowed", 100, 101), ("pass_mark", 100, 101), ("estimated_minutes", 240, 241)],
)
def test_course_numbers_have_bounds(field, good, bad):
    """Course pages are edited in Wagtail's page editor, whose form runs the model's validators."""
    from courses.models import CoursePage

    model_field = CoursePage._meta.get_field(field)
    model_field.clean(good, None)
    with pytest.raises(ValidationError):
        model_field.clean(bad, None)
