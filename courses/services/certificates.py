"""Certificates: the code printed on each, and the completion that a passed attempt earns (with
its evidence in the competence ledger, recorded exactly once under a stable source reference).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction

from courses.models import Completion, QuizAttempt
from lms import audit
from lms.competence.models import Evidence
from lms.competence.services import evidence as competence_services
from lms.people.models import User

__all__ = ["CERTIFICATE_ALPHABET", "certificate_code_new", "completion_create"]


# No 0/O, 1/I/L: a code read aloud or typed from paper is not misread.
CERTIFICATE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CERTIFICATE_CODE_LENGTH = 12


def certificate_code_new() -> str:
    """An unguessable verification code (31^12, about 59 bits)."""
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))


def completion_create(*, attempt: QuizAttempt, today: dt.date, by: User | None) -> Completion:
    """The completion a passed attempt earns, with its evidence. Called by
    services.quiz.attempt_submit inside its lock on the enrolment, which checked the learner."""
    enrolment = attempt.enrolment
    course = enrolment.course
    completion = None
    for _try in range(5):
        try:
            # A savepoint: on the (astronomically unlikely) clash of codes, draw again.
            with transaction.atomic():
                completion = Completion.objects.create(
                    enrolment=enrolment,
                    attempt=attempt,
                    revision=attempt.revision,
                    completed_on=today,
                    certificate_code=certificate_code_new(),
                )
            break
        except IntegrityError:
            if Completion.objects.filter(attempt=attempt).exists():
                raise
    if completion is None:
        raise RuntimeError("No free certificate code after five tries.")
    if course.competence_id is not None:
        # The system records the evidence: the learner holds no EVIDENCE_RECORD grant, and the
        # completion itself (checked above) is what earns it.
        evidence = competence_services.evidence_record(
            person=enrolment.person,
            competence=course.competence,
            source=Evidence.Source.COURSE,
            source_reference=f"course-completion:{completion.pk}",
            achieved_on=today,
            by=None,
        )
        completion.evidence = evidence
        completion.valid_until = evidence.expires_on
        completion.save(update_fields=["evidence", "valid_until"])
    audit.log(
        enrolment,
        "lms.course.complete",
        by=by,
        data={
            "course_id": course.pk,
            "completion_id": completion.pk,
            "attempt_id": attempt.pk,
            "revision_id": attempt.revision_id,
            "evidence_id": completion.evidence_id,
            "valid_until": completion.valid_until.isoformat() if completion.valid_until else None,
        },
    )
    return completion
