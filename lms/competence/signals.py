"""Tell the request-scoped memo of a person's competence status (lms.competence.selectors.status)
that what it was computed from has changed: any save or delete of evidence, a requirement (or
its job categories) or a competence."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from lms.competence.models import Competence, Evidence, Requirement
from lms.competence.selectors.status import ledger_written


def _written(**kwargs) -> None:
    ledger_written()


def connect() -> None:
    for model in (Evidence, Requirement, Competence):
        post_save.connect(
            _written, sender=model, dispatch_uid=f"competence.status.{model.__name__}"
        )
        post_delete.connect(
            _written, sender=model, dispatch_uid=f"competence.status.del.{model.__name__}"
        )
    m2m_changed.connect(
        _written,
        sender=Requirement.job_categories.through,
        dispatch_uid="competence.status.requirement_job_categories",
    )
