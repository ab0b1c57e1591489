"""What people are told when their registration or meeting changes.

The services call these functions through `transaction.on_commit(...)`, so nothing is sent for a
change that is rolled back. Each one only enqueues a Celery task (attendance.tasks) with the ids;
the task renders and sends the mail. The signatures take ids, not instances, for that reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError

from attendance import tasks

logger = logging.getLogger(__name__)

_silenced: ContextVar[bool] = ContextVar("attendance_notifications_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """Tell nobody about the changes made inside the block: for the demo loader, which builds a
    season of meetings through the real services without mailing a thousand demo addresses.
    Commit inside the block: the services enqueue on commit."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def enqueue(task, *args: int) -> None:
    if _silenced.get():
        return
    # The change is already committed when this runs: a broker that is down must not turn the
    # person's successful sign-up into an error page. The mail is lost; say so in the log.
    try:
        task.delay(*args)
    except OperationalError:
        logger.exception("could not enqueue %s%r", task.name, args)


def registration_confirmed(*, registration_id: int) -> None:
    enqueue(tasks.send_confirmation, registration_id)


def registration_waitlisted(*, registration_id: int) -> None:
    enqueue(tasks.send_waitlisted, registration_id)


def registration_promoted(*, registration_id: int) -> None:
    """A seat freed and this person moved from the waiting list to confirmed."""
    enqueue(tasks.send_promotion, registration_id)


def registration_cancelled(*, registration_id: int) -> None:
    enqueue(tasks.send_cancellation, registration_id)


def meeting_changed(*, meeting_id: int, sequence: int) -> None:
    """Time or place changed; `sequence` is the meeting's new iCalendar SEQUENCE."""
    enqueue(tasks.send_meeting_changed, meeting_id, sequence)


def meeting_cancelled(*, meeting_id: int) -> None:
    enqueue(tasks.send_meeting_cancelled, meeting_id)


def after_commit(func, **kwargs) -> None:
    """Call `func(**kwargs)` after commit, unless the change is made inside silenced(): decided
    now, so that it holds even when an outer transaction commits after the block has ended (the
    demo loader may run inside one)."""
    if not _silenced.get():
        transaction.on_commit(partial(func, **kwargs))
