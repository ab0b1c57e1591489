"""The competence actions in the access policy, and recording evidence under a real race."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from wagtail.permissions import policy_registry

from lms.competence import access as competence_access
from lms.competence.models import Evidence, Requirement
from lms.competence.services import evidence as services
from lms.people import policy
from lms.people.models import Role
from tests.factories import CompetenceFactory, UserFactory

A = competence_access.Action
# Registered by lms.competence.apps; the admin asks Wagtail's registry for it the same way.
requirement_permission_policy = policy_registry.get_by_type(Requirement, fallback=False)


@pytest.mark.parametrize(
    ("role", "manage", "view_req", "view_evidence", "record"),
    [
        (Role.COORDINATOR, True, True, True, True),
        (Role.DEPARTMENT_CONTACT, False, True, False, False),
        (Role.INSTITUTION_COORDINATOR, False, True, True, False),
        (Role.STEERING_GROUP, False, True, False, False),
    ],
)
def test_grants(
    role, manage, view_req, view_evidence, record, make_staff, tree, signs, teacher, required
):
    user = make_staff(role, tree["HJ"])
    assert policy.can(user, A.COMPETENCE_VIEW, signs)
    # A shared competence is for a regional Infohus to change; the municipality's own for its
    # coordinators (tests/competence/test_ownership.py).
    own = CompetenceFactory(code="HJ_OWN", owner=tree["HJ"])
    assert competence_access.may_manage_competence(user, own) is manage
    assert not competence_access.may_manage_competence(user, signs)
    assert policy.can(user, A.REQUIREMENT_VIEW, tree["HJ-SKOLE"]) is view_req
    assert policy.can(user, A.EVIDENCE_VIEW, teacher) is view_evidence
    assert policy.can(user, A.EVIDENCE_RECORD, teacher) is record
    # Nothing in the other municipality, except the shared competence definitions.
    assert not policy.can(user, A.REQUIREMENT_VIEW, tree["FR"])
    assert not policy.can(user, A.EVIDENCE_VIEW, tree["FR-SKOLE"])
    assert requirement_permission_policy.user_has_permission_for_instance(
        user, "view", required["hj_signs"]
    )
    assert not requirement_permission_policy.user_has_permission_for_instance(
        user, "view", required["fr_signs"]
    )


def test_an_employee_has_no_competence_action(db, teacher, signs):
    user = UserFactory()
    for action in (A.COMPETENCE_VIEW, A.REQUIREMENT_VIEW, A.EVIDENCE_VIEW, A.EVIDENCE_RECORD):
        assert not policy.can(user, action)


def test_who_may_edit_a_requirement(make_staff, tree, required):
    hj = make_staff(Role.COORDINATOR, tree["HJ"])
    fr = make_staff(Role.COORDINATOR, tree["FR"])
    users = requirement_permission_policy.users_with_any_permission_for_instance(
        ["change"], required["hj_signs"]
    )
    assert hj in users and fr not in users


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="Real concurrent writers need PostgreSQL (SQLite serialises its writers).",
)
@pytest.mark.postgres
# No serialized_rollback: pytest-django runs the transactional tests after all the others, and one
# that needs Wagtail's root page after another's flush makes it (tests/browser's
# wagtail_roots_ensure). Restoring serialized rows instead collides with the content types that
# the previous flush's post_migrate already made again (seen in CI on PostgreSQL).
@pytest.mark.django_db(transaction=True)
def test_concurrent_records_of_one_reference_make_one_row(tree, jobs, signs, teacher):
    threads, results, errors = 8, [], []
    barrier = threading.Barrier(threads)

    def work():
        try:
            barrier.wait()
            evidence = services.evidence_record(
                person=teacher,
                competence=signs,
                source=Evidence.Source.MEETING,
                source_reference="meeting:race",
                achieved_on=dt.date(2025, 5, 1),
            )
            results.append(evidence.pk)
        except Exception as exc:  # any error fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(results) == threads and len(set(results)) == 1
    assert Evidence.objects.filter(source_reference="meeting:race").count() == 1
