"""All-or-nothing import of external courses (CDE / formerly NCFE, SIRI, Infohus Nordjylland) as
evidence, from CSV or XLSX (the file reading and error reporting of lms.tabular).

Columns: email and/or employee_number (who), competence (its code), source, achieved_on,
reference (the provider's certificate or course number; optional). Every row is validated against
the file and the database first and every problem is reported by row and column; any problem means
nothing is written. A row whose course is already in the ledger (same person, competence, provider
and reference) is counted as unchanged, so importing the same file twice records nothing new.

Who may be named: the people in the importing user's EVIDENCE_RECORD scope. Someone outside it
reads as unknown, so the import cannot be used to find out who works elsewhere.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lms import bounds
from lms.competence import access
from lms.competence.models import Competence, Evidence
from lms.competence.services import evidence as services
from lms.people import policy
from lms.people.models import Person, User
from lms.tabular import (
    Change,
    FileError,
    ImportResult,
    RowError,
    Source,
    read_table,
)

COLUMNS = ("competence", "source", "achieved_on")
WHO_COLUMNS = ("email", "employee_number")
OPTIONAL_COLUMNS = ("reference",)

# Values of the "source" column: our codes, the providers' names as coordinators write them.
_SOURCE_ALIASES = {
    "cde": Evidence.Source.EXTERNAL_CDE,
    "ncfe": Evidence.Source.EXTERNAL_CDE,
    "cde/ncfe": Evidence.Source.EXTERNAL_CDE,
    "siri": Evidence.Source.EXTERNAL_SIRI,
    "infohus nordjylland": Evidence.Source.EXTERNAL_INFOHUS_NORD,
    "infohus nord": Evidence.Source.EXTERNAL_INFOHUS_NORD,
}
# ISO first; then the Danish ways of writing a date. An Excel date cell reads as ISO with a time.
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


@dataclass
class EvidenceImportResult(ImportResult):
    kind: str = "evidence"

    def summary(self) -> str:
        if self.errors:
            return super().summary()
        text = ngettext(
            "%(created)d course recorded, %(unchanged)d already recorded.",
            "%(created)d courses recorded, %(unchanged)d already recorded.",
            self.created,
        ) % {"created": self.created, "unchanged": self.unchanged}
        if self.dry_run:
            text = _("Dry run, nothing saved: %(summary)s") % {"summary": text}
        return text


@dataclass
class _Row:
    row: int
    person: Person
    competence: Competence
    source: str
    achieved_on: dt.date
    reference: str


def source_of(text: str) -> str | None:
    """Our code, a provider's name, or the choice's label in Danish or English."""
    wanted = " ".join(text.lower().split())
    if wanted in services.EXTERNAL_SOURCES:
        return wanted
    if wanted in _SOURCE_ALIASES:
        return _SOURCE_ALIASES[wanted]
    for language in ("da", "en"):
        with translation.override(language):
            for value in services.EXTERNAL_SOURCES:
                if str(Evidence.Source(value).label).lower() == wanted:
                    return value
    return None


def date_of(text: str) -> dt.date | None:
    for pattern in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _failed(errors: list[RowError], *, dry_run: bool) -> EvidenceImportResult:
    return EvidenceImportResult(errors=sorted(errors, key=lambda e: e.row or 0), dry_run=dry_run)


def evidence_import(
    *, source: Source, filename: str | None = None, by: User | None = None, dry_run: bool = False
) -> EvidenceImportResult:
    """Import external courses as evidence; all or nothing (see the module docstring)."""
    if by is not None and not policy.can(by, access.Action.EVIDENCE_RECORD):
        return _failed(
            [RowError(None, None, _("You may not record evidence. Nothing was changed."))],
            dry_run=dry_run,
        )
    try:
        table = read_table(source, filename)
    except FileError as exc:
        return _failed(exc.errors, dry_run=dry_run)
    errors = [
        RowError(None, name, _("The column is missing from the file."))
        for name in COLUMNS
        if name not in table.columns
    ]
    if not any(name in table.columns for name in WHO_COLUMNS):
        errors.append(
            RowError(None, "email", _("The file needs an email or an employee_number column."))
        )
    if errors:
        return _failed(errors, dry_run=dry_run)

    # Reference data once: the people the user may record for, every competence.
    people = (
        Person.objects.all() if by is None else policy.people(by, access.Action.EVIDENCE_RECORD)
    )
    emails = {value.strip().lower() for _n, values in table.rows if (value := values.get("email"))}
    numbers = {value for _n, values in table.rows if (value := values.get("employee_number"))}
    by_email = {
        person.email_lower: person
        for person in people.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    by_number = {p.employee_number: p for p in people.filter(employee_number__in=numbers)}
    competences = {c.code.lower(): c for c in Competence.objects.all()}
    today = timezone.localdate()

    rows: list[_Row] = []
    first_seen: dict[tuple, int] = {}

    def error(row, column, message):
        errors.append(RowError(row=row, column=column, message=message))

    for number, values in table.rows:
        before = len(errors)
        email = values.get("email", "").strip().lower()
        employee_number = values.get("employee_number", "").strip()
        person = None
        if not email and not employee_number:
            error(number, "email", _("Give the person's email or employee number."))
        else:
            found_by_email = by_email.get(email) if email else None
            found_by_number = by_number.get(employee_number) if employee_number else None
            if email and found_by_email is None:
                error(
                    number,
                    "email",
                    _("Nobody with the email %(value)s is on the roster of your area.")
                    % {"value": email},
                )
            if employee_number and found_by_number is None:
                error(
                    number,
                    "employee_number",
                    _("Nobody with the employee number %(value)s is on the roster of your area.")
                    % {"value": employee_number},
                )
            if found_by_email and found_by_number and found_by_email.pk != found_by_number.pk:
                error(
                    number,
                    "employee_number",
                    _("The email and the employee number belong to different people."),
                )
            person = found_by_email or found_by_number
            if person is not None and not person.active:
                error(number, "email" if email else "employee_number", _("This person has left."))

        code = values.get("competence", "").strip()
        competence = competences.get(code.lower()) if code else None
        if not code:
            error(number, "competence", _("A value is required."))
        elif competence is None:
            error(
                number,
                "competence",
                _("There is no competence with the code %(value)s.") % {"value": code},
            )
        elif not competence.active:
            error(number, "competence", _("This competence is no longer in use."))

        source_text = values.get("source", "")
        source_value = source_of(source_text) if source_text else None
        if not source_text:
            error(number, "source", _("A value is required."))
        elif source_value is None:
            error(
                number,
                "source",
                _("Unknown source %(value)s. Use one of: %(choices)s.")
                % {"value": source_text, "choices": "CDE, SIRI, Infohus Nordjylland"},
            )

        date_text = values.get("achieved_on", "")
        achieved_on = date_of(date_text) if date_text else None
        if not date_text:
            error(number, "achieved_on", _("A value is required."))
        elif achieved_on is None:
            error(
                number,
                "achieved_on",
                _("%(value)s is not a date. Write it as 2025-03-31 or 31-03-2025.")
                % {"value": date_text},
            )
        elif achieved_on > today:
            error(number, "achieved_on", _("The date cannot be in the future."))
        elif (out_of_range := bounds.date_error(achieved_on)) is not None:
            error(number, "achieved_on", out_of_range.messages[0])

        reference = values.get("reference", "").strip()
        if len(reference) > services.EXTERNAL_REFERENCE_MAX_LENGTH:
            error(
                number,
                "reference",
                _("The value is longer than %(limit)d characters.")
                % {"limit": services.EXTERNAL_REFERENCE_MAX_LENGTH},
            )
        if len(errors) > before:
            continue
        key = (
            person.pk,
            competence.pk,
            services.external_reference(
                source=source_value, reference=reference, achieved_on=achieved_on
            ),
        )
        if key in first_seen:
            error(
                number,
                None,
                _("The same course for the same person is also in row %(row)d.")
                % {"row": first_seen[key]},
            )
            continue
        first_seen[key] = number
        rows.append(_Row(number, person, competence, source_value, achieved_on, reference))

    if errors:
        return _failed(errors, dry_run=dry_run)

    # Already in the ledger: one query for the whole file.
    recorded = set(
        Evidence.objects.valid()
        .filter(
            person_id__in={key[0] for key in first_seen},
            source_reference__in={key[2] for key in first_seen},
        )
        .values_list("person_id", "competence_id", "source_reference")
    )
    result = EvidenceImportResult(errors=[], dry_run=dry_run)
    new_rows = []
    for row in rows:
        key = (
            row.person.pk,
            row.competence.pk,
            services.external_reference(
                source=row.source, reference=row.reference, achieved_on=row.achieved_on
            ),
        )
        if key in recorded:
            result.unchanged += 1
            continue
        result.created += 1
        new_rows.append(row)
        result.changes.append(
            Change(
                row=row.row,
                action="create",
                key=row.person.employee_number or row.person.email,
                name=row.person.name,
                fields=[
                    row.competence.code,
                    str(Evidence.Source(row.source).label),
                    row.achieved_on.isoformat(),
                ],
            )
        )
    if dry_run or not new_rows:
        return result
    with transaction.atomic():
        for row in new_rows:
            services.evidence_record_external(
                person=row.person,
                competence=row.competence,
                source=row.source,
                achieved_on=row.achieved_on,
                reference=row.reference,
                by=by,
            )
    return result
