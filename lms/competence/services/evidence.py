"""Every change to the evidence ledger (competences: services.competences, requirements:
services.requirements).

Feature apps (attendance, courses) never write the ledger themselves: they call evidence_record
with a stable source_reference ("meeting:123", "course:7") and evidence_void when an achievement
is withdrawn. Each function is keyword-only; an acting user (`by`) is checked against the access
policy (`by=None` is the system). Wagtail's audit log gets ids and codes only, never names.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import audit, bounds
from lms.competence import access
from lms.competence.lib.changes import value_json
from lms.competence.models import Competence, Evidence
from lms.people import policy
from lms.people.models import Person, User

A = access.Action


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def evidence_expiry(*, competence: Competence, achieved_on: dt.date) -> dt.date | None:
    """The last day the evidence is valid; None when the competence never expires."""
    if competence.validity_months is None:
        return None
    return add_months(achieved_on, competence.validity_months)


def evidence_record(
    *,
    person: Person,
    competence: Competence,
    source: str,
    source_reference: str,
    achieved_on: dt.date,
    by: User | None = None,
) -> Evidence:
    """Record that `person` achieved `competence`. Idempotent per source_reference: while a
    non-voided row for the same person, competence and reference exists, that row is returned
    and nothing is written (also when two callers race: the database constraint decides)."""
    policy.require(by, A.EVIDENCE_RECORD, person)
    source_reference = (source_reference or "").strip()
    if source not in Evidence.Source.values:
        raise ValidationError({"source": _("Unknown evidence source.")})
    if source != Evidence.Source.MANUAL and not source_reference:
        raise ValidationError({"source_reference": _("Say what earned the competence.")})
    if achieved_on > timezone.localdate():
        raise ValidationError({"achieved_on": _("The date cannot be in the future.")})
    if error := bounds.date_error(achieved_on):
        raise ValidationError({"achieved_on": error})

    existing = Evidence.objects.filter(
        person=person, competence=competence, source_reference=source_reference, voided_at=None
    )
    with transaction.atomic():
        if source_reference and (found := existing.first()) is not None:
            return found
        # The validity as it is now in the database, not as the caller's copy remembers it.
        competence = Competence.objects.get(pk=competence.pk)
        try:
            # A savepoint: a losing racer's IntegrityError must not break the caller's transaction.
            with transaction.atomic():
                evidence = Evidence.objects.create(
                    person=person,
                    competence=competence,
                    source=source,
                    source_reference=source_reference,
                    achieved_on=achieved_on,
                    expires_on=evidence_expiry(competence=competence, achieved_on=achieved_on),
                    recorded_by=by,
                )
        except IntegrityError:
            if not source_reference:
                raise
            return existing.get()
        audit.log(
            evidence,
            "lms.evidence.record",
            by=by,
            data={
                "person_id": person.pk,
                "competence_id": competence.pk,
                "source": source,
                "source_reference": source_reference,
                "achieved_on": achieved_on.isoformat(),
                "expires_on": value_json(evidence.expires_on),
            },
        )
    return evidence


@transaction.atomic
def evidence_void(*, evidence: Evidence, reason: str, by: User | None = None) -> Evidence:
    """Withdraw evidence. The row stays in the ledger with who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for voiding the evidence.")})
    evidence = (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("person__org_unit")
        .get(pk=evidence.pk)
    )
    policy.require(by, A.EVIDENCE_RECORD, evidence.person)
    if evidence.voided_at is not None:
        raise ValidationError(_("This evidence has already been voided."))
    evidence.voided_at = timezone.now()
    evidence.voided_by = by
    evidence.void_reason = reason
    evidence.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit.log(
        evidence,
        "lms.evidence.void",
        by=by,
        data={
            "person_id": evidence.person_id,
            "competence_id": evidence.competence_id,
            "source_reference": evidence.source_reference,
            "reason": reason,
        },
    )
    return evidence


# External courses (CDE / formerly NCFE, SIRI, Infohus Nordjylland).

EXTERNAL_SOURCES = (
    Evidence.Source.EXTERNAL_CDE,
    Evidence.Source.EXTERNAL_SIRI,
    Evidence.Source.EXTERNAL_INFOHUS_NORD,
)
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# What a certificate file may be, told by its first bytes (never by its name or the browser's
# content type, which the uploader controls): extension and content type it is stored and served as.
ATTACHMENT_TYPES = (
    (b"%PDF-", "pdf", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
)
EXTERNAL_REFERENCE_MAX_LENGTH = 150


def attachment_type(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a PDF, PNG or JPEG file starting with `head`; else None."""
    for magic, extension, content_type in ATTACHMENT_TYPES:
        if head.startswith(magic):
            return extension, content_type
    return None


def attachment_validate(attachment) -> str:
    """Check an uploaded certificate file; its extension by content. Raises a ValidationError."""
    size = getattr(attachment, "size", None)
    if size is None:
        attachment.seek(0, 2)
        size = attachment.tell()
    if size == 0:
        raise ValidationError({"attachment": _("The file is empty.")})
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _("The file is larger than 5 MB.")})
    attachment.seek(0)
    kind = attachment_type(attachment.read(16))
    attachment.seek(0)
    if kind is None:
        raise ValidationError({"attachment": _("The file must be a PDF, PNG or JPEG file.")})
    return kind[0]


def external_reference(*, source: str, reference: str, achieved_on: dt.date) -> str:
    """The ledger's source_reference of an external course: the same course from the same
    provider counts once. Without a reference from the provider, the provider and the date."""
    return f"{source}:{reference.strip() or achieved_on.isoformat()}"


def evidence_record_external(
    *,
    person: Person,
    competence: Competence,
    source: str,
    achieved_on: dt.date,
    reference: str = "",
    attachment=None,
    by: User | None = None,
) -> tuple[Evidence, bool]:
    """Record an external course (with its certificate file, when handed in) as evidence.

    Idempotent by provider and reference: recording the same course again returns the row
    already there and (False) writes nothing. Returns (evidence, created)."""
    policy.require(by, A.EVIDENCE_RECORD, person)
    errors = {}
    reference = (reference or "").strip()
    if source not in EXTERNAL_SOURCES:
        errors["source"] = _("Choose CDE, SIRI or Infohus Nordjylland.")
    if achieved_on > timezone.localdate():
        errors["achieved_on"] = _("The date cannot be in the future.")
    bounds.check(errors, "achieved_on", bounds.date_error(achieved_on))
    if len(reference) > EXTERNAL_REFERENCE_MAX_LENGTH:
        errors["reference"] = _("The reference is longer than %(limit)d characters.") % {
            "limit": EXTERNAL_REFERENCE_MAX_LENGTH
        }
    if not competence.active:
        errors["competence"] = _("This competence is no longer in use.")
    if not person.active:
        errors["person"] = _("This person has left.")
    extension = None
    if attachment is not None:
        try:
            extension = attachment_validate(attachment)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    source_reference = external_reference(
        source=source, reference=reference, achieved_on=achieved_on
    )
    with transaction.atomic():
        # Two coordinators recording the same course for the same person at once: the second
        # waits here and then finds the first one's row.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        existing = (
            Evidence.objects.valid()
            .filter(person=person, competence=competence, source_reference=source_reference)
            .first()
        )
        if existing is not None:
            return existing, False
        evidence = evidence_record(
            person=person,
            competence=competence,
            source=source,
            source_reference=source_reference,
            achieved_on=achieved_on,
            by=by,
        )
        if attachment is not None:
            # A random name: the uploader's file name may carry personal data.
            evidence.attachment.save(f"{uuid.uuid4().hex}.{extension}", attachment, save=False)
            Evidence.objects.filter(pk=evidence.pk).update(attachment=evidence.attachment.name)
            audit.log(
                evidence,
                "lms.evidence.attach",
                by=by,
                data={"person_id": person.pk, "attachment": True},
            )
    return evidence, True
