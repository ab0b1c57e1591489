"""What people are told about meeting requests: the coordinators who may answer a new one, the
requester of an answer, the proposing coordinator of the requester's reply.

As for meetings (attendance.notifications.meetings), each function only enqueues a Celery task
with ids; the services call them through `after_commit`, so nothing is sent for a change that is
rolled back or made inside silenced().
"""

from __future__ import annotations

from attendance import tasks
from attendance.notifications.meetings import enqueue


def request_submitted(*, request_id: int) -> None:
    """A new request: those who may answer it are told (one task per recipient)."""
    enqueue(tasks.send_request_submitted, request_id)


def request_answered(*, request_id: int, status: str) -> None:
    """The requester is told of the answer: accepted, proposed or declined."""
    enqueue(tasks.send_request_answered, request_id, status)


def request_proposal_answered(*, request_id: int, accepted: bool) -> None:
    """The coordinator who proposed a time is told whether the requester took it."""
    enqueue(tasks.send_request_proposal_answered, request_id, accepted)
