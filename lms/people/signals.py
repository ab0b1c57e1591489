"""Signals the core sends so that feature apps can follow role changes without being imported.

lms.people imports no feature app (see DESIGN.md): whoever keeps something derived from the roles
(lms.site keeps Wagtail's page-editor groups) connects a receiver in its AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

# Whose roles count differently now: an assignment was granted or revoked, a person left or came
# back, an account was closed. Keyword argument `user_ids`: a frozenset of user ids, or None when
# anyone's may have changed (a unit moved in the tree, so every assignment above it covers
# something else now).
#
# Sent inside the transaction that made the change, not on commit: a receiver's writes then commit
# or roll back with it, so a revoked role never leaves a permission behind for a moment, and a
# failing receiver refuses the change instead of leaving the two out of step.
roles_changed = Signal()


def roles_changed_send(*, user_ids: Iterable[int] | None) -> None:
    if user_ids is not None:
        user_ids = frozenset(pk for pk in user_ids if pk is not None)
        if not user_ids:
            return
    roles_changed.send(sender=roles_changed_send, user_ids=user_ids)


def roles_changed_for_people(person_ids: Iterable[int]) -> None:
    """roles_changed for the accounts linked to these roster entries (one query per 500)."""
    from lms.people.models import Person

    person_ids = sorted(set(person_ids))
    user_ids: set[int] = set()
    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        user_ids.update(
            Person.objects.filter(pk__in=chunk, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    roles_changed_send(user_ids=user_ids)
