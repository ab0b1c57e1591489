"""Free text and names are encrypted at rest: the raw row holds Fernet tokens, and a new key
put first still reads what the old one wrote (rotation)."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from lms.concerns.models import Concern
from lms.concerns.services.keys import encrypted_fields

from .builders import concern_make

pytestmark = pytest.mark.django_db

SECRET_TEXTS = ("hellig krig", "Karl Hemmelig", "Per Partner", "Boligselskabet", "11 22 33 44")


def raw_row(concern) -> dict:
    fields = encrypted_fields()
    table = Concern._meta.db_table
    with connection.cursor() as cursor:
        columns = ", ".join(connection.ops.quote_name(f) for f in fields)
        cursor.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [concern.pk])
        return dict(zip(fields, cursor.fetchone(), strict=True))


def test_the_raw_row_holds_no_plain_text(tree):
    concern = concern_make(infohus=tree["HJ"], kind="partner", reporter_email="per@example.dk")

    row = raw_row(concern)

    dump = " ".join(str(value) for value in row.values())
    for text in (*SECRET_TEXTS, "per@example.dk"):
        assert text not in dump
    for field in ("description", "subject_name", "reporter_name", "reporter_organisation"):
        assert row[field].startswith("gAAAAA"), field  # a Fernet token
    # Through the model, the text reads as written.
    fresh = Concern.objects.get(pk=concern.pk)
    assert fresh.description.startswith("Han taler om hellig krig")
    assert fresh.reporter_name == "Per Partner"


def test_a_new_primary_key_still_reads_what_the_old_one_wrote_and_rotation_moves_it(tree, settings):
    old = settings.LMS_CONCERN_KEYS[0]
    concern = concern_make(infohus=tree["HJ"])
    new = Fernet.generate_key().decode()

    settings.LMS_CONCERN_KEYS = [new, old]
    assert Concern.objects.get(pk=concern.pk).subject_name == "Karl Hemmelig"
    written_with_old = raw_row(concern)["subject_name"]
    Fernet(old).decrypt(written_with_old.encode())  # still the old key's

    call_command("concern_keys_rotate", stdout=io.StringIO())

    rotated = raw_row(concern)["subject_name"]
    assert rotated != written_with_old
    assert Fernet(new).decrypt(rotated.encode()).decode() == "Karl Hemmelig"
    settings.LMS_CONCERN_KEYS = [new]  # the old key can go
    assert Concern.objects.get(pk=concern.pk).description.startswith("Han taler om hellig krig")


def test_without_a_key_nothing_is_stored(tree, settings):
    settings.LMS_CONCERN_KEYS = []
    with pytest.raises(ImproperlyConfigured):
        concern_make(infohus=tree["HJ"])


def test_encrypted_text_cannot_be_searched(tree):
    with pytest.raises(FieldError):
        list(Concern.objects.filter(description__icontains="krig"))
