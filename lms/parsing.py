"""Ids and numbers from requests (query strings, forms, URL parts, the session): parsed here only.

Python's int() is too forgiving for this: int("²") raises although "²".isdigit() is True,
int("٣") is 3, int(" 7 ") is 7, and int("9" * 20) overflows every database column. An id is
1 to 18 plain ASCII digits (18 fit in a signed 64-bit column); anything else is a bad request
(400), never a server error.
"""

from __future__ import annotations

import re

from django.core.exceptions import BadRequest
from django.db.models import IntegerField
from django.db.models.lookups import In

_ID = re.compile(r"[0-9]{1,18}")


def is_id(value) -> bool:
    """Is `value` a string (or an int) of 1 to 18 plain ASCII digits?"""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value < 10**18
    return isinstance(value, str) and _ID.fullmatch(value) is not None


def parse_id(value) -> int:
    """The id in `value`; BadRequest (a 400 response) unless it is 1 to 18 ASCII digits."""
    if not is_id(value):
        raise BadRequest("Malformed id.")
    return int(value)


def parse_id_or_none(value) -> int | None:
    """The id in `value`, or None when it is empty or malformed (an optional pre-fill)."""
    return int(value) if is_id(value) else None


class IntegerFieldIn(In):
    """`in` on an integer column, dropping values no such column can hold.

    Django's own exact and comparison lookups on integer fields already answer "nothing" for an id
    like 99999999999999999999 (IntegerFieldOverflow); `in` does not, and the database driver
    fails (SQLite: OverflowError). Every form's multiple choice of rows (ModelMultipleChoiceField
    asks `pk__in`) would turn such a posted id into a server error instead of "not a choice"."""

    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register_lookups() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
