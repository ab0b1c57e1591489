"""Enqueue the mails about a new concern (lms.concerns.tasks), after commit, with ids only."""

from __future__ import annotations

import logging

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def concern_received(*, concern_id: int) -> None:
    from lms.concerns import tasks

    for task in (tasks.send_concern_received, tasks.send_concern_receipt):
        # The case is saved: a broker that is down must not turn the report into an error page.
        try:
            task.delay(concern_id)
        except OperationalError:
            logger.exception("could not enqueue %s(%s)", task.name, concern_id)
