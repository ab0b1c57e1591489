"""The steps of a case, in order, and who may record each: the Infohus members of the case's
municipality; the outcome "the police decide on PET/EAE" only the police representative."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.concerns.models import Concern
from lms.concerns.services.cases import concern_advance
from lms.people.models import Role
from tests.factories import RoleAssignmentFactory

from .builders import concern_make

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 2)
STEPS_TO_OUTCOME = [
    ("leader_informed", {"leader_informed_on": TODAY}),
    ("interview", {"interview_on": TODAY, "interview_by": "Tovholder og leder"}),
    ("analysis", {"analysis_authorities": "Skole, SSP, politi"}),
    ("assessment", {"assessment": "Bekymringen er begrundet; vi anbefaler mentorforløb."}),
]


@pytest.fixture
def case(cast):
    return concern_make(infohus=cast.units["HJ"], kind="partner")


def advance(case, by, to, **data):
    return concern_advance(by=by, concern=Concern.objects.get(pk=case.pk), to=to, **data)


def to_outcome(case, by):
    for step, data in STEPS_TO_OUTCOME:
        advance(case, by, step, **data)


def test_a_coordinator_takes_a_case_from_received_to_closed(cast, case):
    to_outcome(case, cast.coordinator)
    advance(case, cast.coordinator, "outcome", outcome="advice")
    advance(case, cast.ssp, "feedback_given", feedback_on=TODAY)
    closed = advance(case, cast.coordinator, "closed", journal_reference="SBSYS 27.12.00-G01-1-26")

    assert closed.status == "closed" and closed.closed_at is not None
    assert closed.journal_reference == "SBSYS 27.12.00-G01-1-26"
    assert closed.interview_by == "Tovholder og leder" and closed.outcome == "advice"
    steps = ModelLogEntry.objects.filter(object_id=str(case.pk), action="lms.concern.advance")
    assert [e.data["to"] for e in steps.order_by("timestamp", "pk")] == [
        "leader_informed",
        "interview",
        "analysis",
        "assessment",
        "outcome",
        "feedback_given",
        "closed",
    ]
    assert "Tovholder" not in str(list(steps.values_list("data", flat=True)))


def test_the_leader_is_informed_before_the_interview_and_no_step_is_skipped(cast, case):
    with pytest.raises(ValidationError):
        advance(case, cast.coordinator, "interview", interview_on=TODAY, interview_by="X")
    with pytest.raises(ValidationError):
        advance(case, cast.coordinator, "closed", journal_reference="J-1")
    assert Concern.objects.get(pk=case.pk).status == "received"


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        ("leader_informed", {}, "leader_informed_on"),
        (
            "leader_informed",
            {"leader_informed_on": timezone.localdate() + dt.timedelta(days=1)},
            "leader_informed_on",
        ),
        ("leader_informed", {"leader_informed_on": dt.date(1, 1, 1)}, "leader_informed_on"),
    ],
)
def test_a_step_without_its_facts_changes_nothing(cast, case, step, data, field):
    with pytest.raises(ValidationError) as raised:
        advance(case, cast.coordinator, step, **data)
    assert field in raised.value.message_dict
    assert Concern.objects.get(pk=case.pk).status == "received"


def test_only_the_police_representative_records_the_police_decision(cast, case):
    to_outcome(case, cast.coordinator)
    for who in (cast.coordinator, cast.ssp):
        with pytest.raises(PermissionDenied):
            advance(case, who, "outcome", outcome="police", police_decision="report")
    with pytest.raises(ValidationError):
        advance(case, cast.police, "outcome", outcome="police")  # the decision itself is needed

    done = advance(case, cast.police, "outcome", outcome="police", police_decision="no_report")

    assert done.outcome == "police" and done.police_decision == "no_report"


def test_a_police_representative_of_another_municipality_may_not(cast, case, make_staff, mfa):
    other_police = make_staff(Role.POLICE_REPRESENTATIVE, cast.units["FR"])
    to_outcome(case, cast.coordinator)
    with pytest.raises(PermissionDenied):
        advance(case, other_police, "outcome", outcome="police", police_decision="report")


@pytest.mark.parametrize(
    "who", ["contact", "steering", "institution", "other_coordinator", "superuser", "employee"]
)
def test_nobody_else_records_a_step(cast, case, who):
    with pytest.raises(PermissionDenied):
        advance(case, getattr(cast, who), "leader_informed", leader_informed_on=TODAY)
    assert Concern.objects.get(pk=case.pk).status == "received"


def test_the_admin_records_the_next_step(client, cast, case):
    client.force_login(cast.coordinator)
    item = reverse("concerns_admin:item", args=(case.pk,))
    url = reverse("concerns_admin:advance", args=(case.pk,))
    assert url in client.get(item).content.decode()

    bad = client.post(url, {})
    assert bad.status_code == 400
    assert Concern.objects.get(pk=case.pk).status == "received"

    response = client.post(url, {"leader_informed_on": TODAY.isoformat()})

    assert response.status_code == 302 and response["Location"] == item
    assert Concern.objects.get(pk=case.pk).status == "leader_informed"
    html = client.get(item).content.decode()
    assert "Trin registreret: Leder orienteret" in html


def test_the_admin_refuses_the_step_form_to_others(client, cast, case):
    client.force_login(cast.steering)
    url = reverse("concerns_admin:advance", args=(case.pk,))
    assert client.get(url).status_code == 302
    assert client.post(url, {"leader_informed_on": TODAY.isoformat()}).status_code == 302
    assert Concern.objects.get(pk=case.pk).status == "received"

    RoleAssignmentFactory(user=cast.superuser, role=Role.STEERING_GROUP, org_unit=cast.units["HJ"])
    client.force_login(cast.other_coordinator)
    assert client.get(url).status_code == 404


def test_the_employee_sees_on_min_side_when_feedback_was_given(client, cast, intake_site):
    case = concern_make(
        infohus=cast.units["HJ"], by=cast.employee, kind="staff", reporter_email="a@example.dk"
    )
    client.force_login(cast.employee)
    my_page = reverse("site:my_page")

    html = client.get(my_page).content.decode()
    assert case.reference in html and "Infohuset behandler den" in html
    assert "Karl Hemmelig" not in html and "hellig krig" not in html

    to_outcome(case, cast.coordinator)
    advance(case, cast.coordinator, "outcome", outcome="advice")
    advance(case, cast.coordinator, "feedback_given", feedback_on=TODAY)

    html = client.get(my_page).content.decode()
    assert "Infohuset gav tilbagemelding 2. november 2026" in html
    # Someone else's Min side shows nothing of it.
    client.force_login(cast.coordinator)
    assert case.reference not in client.get(my_page).content.decode()
