"""Erasure after closing: a case closed with its journal reference (the record lives in the
municipality's case system) keeps its free text and names for LMS_CONCERN_ERASE_AFTER_DAYS, then
they are erased, leaving only what the statistics need: dates, kind of reporter, route, outcome,
age group and the reporter's administration (reporter_unit).

Run daily by the beat task lms.concerns.erase_closed_concerns; running it twice does nothing the
second time (erased_at). One audit entry per case, naming no content.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from lms import audit
from lms.clock import as_of
from lms.concerns.models import Concern
from lms.concerns.services.keys import encrypted_fields

LOG_ERASE = "lms.concern.erase"
BATCH = 200
# Besides the encrypted fields: the link to the reporter's account and the case system's number.
ALSO_CLEARED = {"reporter_user": None, "journal_reference": "", "forwarded_to": ""}


def concerns_erase_due(*, now: dt.datetime | None = None) -> int:
    """Erase the cases closed more than the period before `now`; returns how many."""
    moment = as_of(now)
    cutoff = moment - dt.timedelta(days=settings.LMS_CONCERN_ERASE_AFTER_DAYS)
    due = list(
        Concern.objects.filter(
            status=Concern.Status.CLOSED, closed_at__lte=cutoff, erased_at__isnull=True
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    blank = dict.fromkeys(encrypted_fields(), "")
    count = 0
    for start in range(0, len(due), BATCH):
        with transaction.atomic():
            # Locked and re-checked: a run that overlaps another erases and logs each case once.
            pks = list(
                Concern.objects.select_for_update()
                .filter(pk__in=due[start : start + BATCH], erased_at__isnull=True)
                .values_list("pk", flat=True)
            )
            Concern.objects.filter(pk__in=pks).update(**blank, **ALSO_CLEARED, erased_at=moment)
            audit.log_many(Concern, [(pk, LOG_ERASE, {}) for pk in pks], by=None)
            count += len(pks)
    return count
