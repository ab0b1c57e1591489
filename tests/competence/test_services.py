"""The ledger's services: record (idempotent), void (with a reason), never delete; definitions."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry

from lms.competence.models import Competence, Evidence, EvidenceDeleteError, Requirement
from lms.competence.services import competences as competence_services
from lms.competence.services import evidence as services
from lms.competence.services import requirements as requirement_services
from lms.people.models import Role
from tests.factories import CompetenceFactory, PersonFactory

MEETING = Evidence.Source.MEETING


def record(person, competence, ref="meeting:1", achieved_on=dt.date(2025, 3, 10), **kwargs):
    return services.evidence_record(
        person=person,
        competence=competence,
        source=kwargs.pop("source", MEETING),
        source_reference=ref,
        achieved_on=achieved_on,
        **kwargs,
    )


def logs(action):
    return ModelLogEntry.objects.filter(action=action)


# --- Expiry ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 3, 10), 24, dt.date(2027, 3, 10)),
        (dt.date(2025, 11, 30), 3, dt.date(2026, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
    ],
)
def test_add_months(day, months, expected):
    assert services.add_months(day, months) == expected


def test_record_computes_and_stores_the_expiry(teacher, signs):
    evidence = record(teacher, signs)
    evidence.refresh_from_db()
    assert evidence.expires_on == dt.date(2027, 3, 10)
    assert evidence.recorded_at is not None
    # A later change of validity does not rewrite what was recorded.
    competence_services.competence_update(
        competence=signs,
        code=signs.code,
        name=signs.name,
        description="",
        validity_months=12,
        active=True,
    )
    evidence.refresh_from_db()
    assert evidence.expires_on == dt.date(2027, 3, 10)
    assert record(teacher, signs, ref="meeting:2").expires_on == dt.date(2026, 3, 10)


def test_a_competence_without_validity_never_expires(teacher, passing_on):
    assert record(teacher, passing_on).expires_on is None


# --- Recording ------------------------------------------------------------------------------------


def test_record_is_idempotent_per_reference(teacher, signs, make_staff, tree):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    first = record(teacher, signs, by=coordinator)
    again = record(teacher, signs, achieved_on=dt.date(2025, 3, 11), by=coordinator)
    assert again.pk == first.pk
    assert Evidence.objects.count() == 1
    assert logs("lms.evidence.record").count() == 1
    entry = logs("lms.evidence.record").get()
    assert entry.user_id == coordinator.pk
    # Ids only: no name or email in the log.
    assert entry.data["person_id"] == teacher.pk
    assert teacher.name not in str(entry.data) and teacher.name not in entry.label
    assert teacher.email not in str(entry.data)
    # Another reference is another achievement.
    assert record(teacher, signs, ref="meeting:2").pk != first.pk


def test_record_again_after_void_creates_a_new_row(teacher, signs):
    first = record(teacher, signs)
    services.evidence_void(evidence=first, reason="Marked absent")
    second = record(teacher, signs)
    assert second.pk != first.pk
    assert Evidence.objects.filter(voided_at__isnull=True).count() == 1


def test_the_database_refuses_a_second_live_row_for_a_reference(teacher, signs):
    first = record(teacher, signs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(
            person=teacher,
            competence=signs,
            source=MEETING,
            source_reference=first.source_reference,
            achieved_on=first.achieved_on,
        )


def test_record_returns_the_winner_when_a_racer_inserted_first(teacher, signs, monkeypatch):
    """The check before the insert saw nothing, the insert then hits the constraint: the row the
    other caller committed is returned and the caller's transaction is still usable."""
    winner = Evidence.objects.create(
        person=teacher,
        competence=signs,
        source=MEETING,
        source_reference="meeting:9",
        achieved_on=dt.date(2025, 3, 10),
    )
    real_first = Evidence.objects.none().__class__.first
    calls = {"n": 0}

    def first_sees_nothing(queryset):
        calls["n"] += 1
        return None if calls["n"] == 1 else real_first(queryset)

    monkeypatch.setattr(type(Evidence.objects.all()), "first", first_sees_nothing)
    with transaction.atomic():
        got = record(teacher, signs, ref="meeting:9")
        assert got.pk == winner.pk
        assert Evidence.objects.count() == 1


def test_manual_evidence_without_reference_is_not_deduplicated(teacher, signs):
    a = record(teacher, signs, ref="", source=Evidence.Source.MANUAL)
    b = record(teacher, signs, ref="", source=Evidence.Source.MANUAL)
    assert a.pk != b.pk


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": "rumour"}, "source"),
        ({"ref": "   "}, "source_reference"),
        ({"achieved_on": dt.date.today() + dt.timedelta(days=2)}, "achieved_on"),
    ],
)
def test_record_bad_input_changes_nothing(teacher, signs, kwargs, field):
    with pytest.raises(ValidationError) as error:
        record(teacher, signs, **kwargs)
    assert field in error.value.message_dict
    assert not Evidence.objects.exists()
    assert not logs("lms.evidence.record").exists()


def test_record_only_within_the_recorders_scope(teacher, signs, make_staff, tree):
    other = make_staff(Role.COORDINATOR, tree["FR"])
    contact = make_staff(Role.DEPARTMENT_CONTACT, tree["HJ-BFU"])
    for user in (other, contact):
        with pytest.raises(ValidationError):
            record(teacher, signs, by=user)
    assert not Evidence.objects.exists()


# --- Voiding and deleting -------------------------------------------------------------------------


def test_void_keeps_the_row_with_who_when_why(teacher, signs, make_staff, tree):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    evidence = record(teacher, signs)
    services.evidence_void(evidence=evidence, reason="  Marked absent  ", by=coordinator)
    evidence.refresh_from_db()
    assert evidence.voided_at is not None
    assert evidence.voided_by == coordinator
    assert evidence.void_reason == "Marked absent"
    entry = logs("lms.evidence.void").get()
    assert entry.data["reason"] == "Marked absent"
    assert entry.object_id == str(evidence.pk)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_void_without_reason_is_refused_and_changes_nothing(teacher, signs, reason):
    evidence = record(teacher, signs)
    with pytest.raises(ValidationError) as error:
        services.evidence_void(evidence=evidence, reason=reason)
    assert "reason" in error.value.message_dict
    assert "Angiv en begrundelse" in error.value.message_dict["reason"][0]
    evidence.refresh_from_db()
    assert evidence.voided_at is None and evidence.void_reason == ""
    assert not logs("lms.evidence.void").exists()


def test_void_twice_is_refused(teacher, signs):
    evidence = record(teacher, signs)
    services.evidence_void(evidence=evidence, reason="Wrong person")
    with pytest.raises(ValidationError):
        services.evidence_void(evidence=evidence, reason="Again")
    evidence.refresh_from_db()
    assert evidence.void_reason == "Wrong person"


def test_void_outside_scope_is_refused(teacher, signs, make_staff, tree):
    evidence = record(teacher, signs)
    with pytest.raises(ValidationError):
        services.evidence_void(
            evidence=evidence, reason="No", by=make_staff(Role.COORDINATOR, tree["FR"])
        )
    evidence.refresh_from_db()
    assert evidence.voided_at is None


def test_evidence_is_never_deleted(teacher, signs):
    evidence = record(teacher, signs)
    with pytest.raises(EvidenceDeleteError):
        evidence.delete()
    with pytest.raises(EvidenceDeleteError):
        Evidence.objects.all().delete()
    with pytest.raises(EvidenceDeleteError):
        Evidence.objects.filter(pk=evidence.pk).delete()
    assert Evidence.objects.filter(pk=evidence.pk).exists()


def test_the_database_refuses_a_voided_row_without_reason(teacher, signs):
    evidence = record(teacher, signs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).update(voided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.filter(pk=evidence.pk).update(void_reason="reason but not voided")


# --- Competences and requirements -----------------------------------------------------------------


def test_competence_create_and_update_are_logged(make_staff, tree):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    competence = competence_services.competence_create(
        code="X1", name="Noget", validity_months=12, owner=tree["HJ"], by=coordinator
    )
    competence_services.competence_update(
        competence=competence,
        code="X1",
        name="Noget andet",
        description="",
        validity_months=None,
        active=True,
        by=coordinator,
    )
    competence.refresh_from_db()
    assert competence.name == "Noget andet" and competence.validity_months is None
    entry = logs("lms.competence.update").get()
    assert entry.data["fields"] == ["name", "validity_months"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"code": "DUP", "name": "Ny"}, "code"),
        ({"code": "", "name": "Ny"}, "code"),
        ({"code": "NEW", "name": " "}, "name"),
        ({"code": "NEW", "name": "Ny", "validity_months": 0}, "validity_months"),
    ],
)
def test_competence_bad_input_changes_nothing(db, fields, field):
    CompetenceFactory(code="DUP")
    with pytest.raises(ValidationError) as error:
        competence_services.competence_create(**fields)
    assert field in error.value.message_dict
    assert Competence.objects.count() == 1


def test_only_coordinators_manage_competences(make_staff, tree):
    for role in (Role.DEPARTMENT_CONTACT, Role.INSTITUTION_COORDINATOR, Role.STEERING_GROUP):
        with pytest.raises(ValidationError):
            competence_services.competence_create(
                code="X", name="X", by=make_staff(role, tree["HJ"])
            )
    assert not Competence.objects.exists()


def test_requirement_create_update_delete(make_staff, tree, jobs, signs):
    coordinator = make_staff(Role.COORDINATOR, tree["HJ"])
    req = requirement_services.requirement_create(
        competence=signs, org_unit=tree["HJ-BFU"], job_categories=[jobs["teacher"]], by=coordinator
    )
    requirement_services.requirement_update(
        requirement=req,
        competence=signs,
        org_unit=tree["HJ"],
        job_categories=[jobs["teacher"], jobs["pedagogue"]],
        by=coordinator,
    )
    req.refresh_from_db()
    assert req.org_unit == tree["HJ"]
    assert set(req.job_categories.all()) == {jobs["teacher"], jobs["pedagogue"]}
    entry = logs("lms.requirement.update").get()
    assert set(entry.data["fields"]) == {"org_unit", "job_categories"}
    requirement_services.requirement_delete(requirement=req, by=coordinator)
    assert not Requirement.objects.exists()
    assert logs("lms.requirement.delete").count() == 1


def test_requirement_bad_input_changes_nothing(tree, jobs, signs):
    requirement_services.requirement_create(
        competence=signs, org_unit=tree["HJ"], job_categories=[jobs["teacher"]]
    )
    with pytest.raises(ValidationError) as error:
        requirement_services.requirement_create(
            competence=signs, org_unit=tree["HJ"], job_categories=[]
        )
    assert set(error.value.message_dict) == {"job_categories", "org_unit"}
    assert Requirement.objects.count() == 1


def test_requirement_outside_scope_is_refused(make_staff, tree, jobs, signs):
    coordinator = make_staff(Role.COORDINATOR, tree["FR"])
    with pytest.raises(ValidationError):
        requirement_services.requirement_create(
            competence=signs, org_unit=tree["HJ"], job_categories=[jobs["teacher"]], by=coordinator
        )
    req = requirement_services.requirement_create(
        competence=signs, org_unit=tree["FR"], job_categories=[jobs["teacher"]], by=coordinator
    )
    # Moving one's own requirement into another municipality is refused too.
    with pytest.raises(ValidationError):
        requirement_services.requirement_update(
            requirement=req,
            competence=signs,
            org_unit=tree["HJ"],
            job_categories=[jobs["teacher"]],
            by=coordinator,
        )
    req.refresh_from_db()
    assert req.org_unit == tree["FR"]
    assert Requirement.objects.count() == 1
    assert PersonFactory  # factories import used elsewhere
