"""Course certificates: the reads behind the PDF (courses.documents.certificates) and the public
verification page.

A certificate is a Completion: its code is printed on it (and as a QR code to the verification
page). What it says is fixed when it is earned: the course title of the revision it was completed
on, the completion date and the last valid day. Completing again after expiry is a new Completion,
so a new certificate with its own code and dates; the old one then verifies as expired.

The verification page shows only whether a code is valid, and the name, course and dates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone

from courses.models import Completion
from lms.mail import absolute_url

VALID = "valid"
EXPIRED = "expired"
WITHDRAWN = "withdrawn"


# The codes are drawn from an alphabet without look-alikes (courses.services.certificates); people
# type them back in upper or lower case, with or without the dashes the certificate shows.
CODE_GROUP = 4
_NOT_CODE = re.compile(r"[^0-9A-Z]")


def normalise_code(text: str) -> str:
    return _NOT_CODE.sub("", (text or "").upper())


def display_code(code: str) -> str:
    """ABCD-EFGH-JKMN: easier to read out and type back."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def completion_by_code(code: str) -> Completion | None:
    code = normalise_code(code)
    if not code:
        return None
    return (
        Completion.objects.select_related(
            "enrolment__person", "enrolment__course", "revision", "evidence"
        )
        .filter(certificate_code=code)
        .first()
    )


def course_title(completion: Completion) -> str:
    """The title the course had when it was completed, not today's."""
    content = completion.revision.content if completion.revision_id else None
    title = (content or {}).get("title") if isinstance(content, dict) else None
    return title or completion.enrolment.course.title


def certificate_status(completion: Completion, *, today: dt.date | None = None) -> str:
    """valid, expired (past its last valid day) or withdrawn (its evidence was voided)."""
    today = today or timezone.localdate()
    if completion.evidence_id is not None and completion.evidence.voided_at is not None:
        return WITHDRAWN
    if completion.valid_until is not None and completion.valid_until < today:
        return EXPIRED
    return VALID


def verify_url(code: str) -> str:
    path = reverse("courses:certificate_verify", kwargs={"code": code})
    return absolute_url(path)


@dataclass(frozen=True)
class CertificateFacts:
    """Everything a certificate shows, and nothing else: the verification page shows this."""

    code: str
    name: str
    course: str
    completed_on: dt.date
    valid_until: dt.date | None
    status: str

    @property
    def display_code(self) -> str:
        return display_code(self.code)


def certificate_facts(completion: Completion, *, today: dt.date | None = None) -> CertificateFacts:
    return CertificateFacts(
        code=completion.certificate_code,
        name=completion.enrolment.person.name,
        course=course_title(completion),
        completed_on=completion.completed_on,
        valid_until=completion.valid_until,
        status=certificate_status(completion, today=today),
    )
