"""Key rotation: every case's encrypted fields written again with the newest key.

After a new key is put first in LMS_CONCERN_KEYS (the old ones after it), this re-encrypts every
case, so that the old key can then be dropped. The text does not change, so the cases' audit
trails do not record it; the command line is the only caller (by=None, the system).
"""

from __future__ import annotations

from django.db import transaction

from lms.concerns.models import Concern
from lms.concerns.models.fields import EncryptedTextField

BATCH = 200


def encrypted_fields() -> list[str]:
    return [f.name for f in Concern._meta.get_fields() if isinstance(f, EncryptedTextField)]


def concern_keys_rotate() -> int:
    """Encrypt every case again with the newest key; returns how many cases."""
    fields = encrypted_fields()
    count = 0
    pks = list(Concern.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            cases = list(
                Concern.objects.select_for_update().filter(pk__in=pks[start : start + BATCH])
            )
            # Loading decrypted them with any configured key; saving encrypts with the first.
            Concern.objects.bulk_update(cases, fields)
            count += len(cases)
    return count
