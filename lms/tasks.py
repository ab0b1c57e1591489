"""Platform tasks."""

from celery import shared_task


@shared_task(name="lms.tasks.ping", ignore_result=False, acks_late=False)
def ping() -> str:
    """Answer the healthcheck's round trip through a worker."""
    return "pong"
