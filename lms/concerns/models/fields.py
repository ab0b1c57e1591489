"""A text field encrypted at rest (lms.concerns.lib.encryption).

The database holds a Fernet token; Python sees the text. An empty value stays empty (it says
nothing about anyone). The field cannot be searched, filtered or ordered on: each token is
different even for the same text, which is the point.
"""

from __future__ import annotations

from django.db import models

from lms.concerns.lib import encryption


class EncryptedTextField(models.TextField):
    description = "Text encrypted at rest"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encryption.encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return encryption.decrypt(value)

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            # An encrypted value cannot be compared in the database.
            return None
        return super().get_lookup(lookup_name)
