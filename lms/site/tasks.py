"""Thin Celery tasks for the public site; the work is in lms.site.services.editors."""

from celery import shared_task

from lms.site.services import editors


@shared_task(name="lms.site.sync_editor_groups")
def sync_editor_groups() -> str:
    """Daily safety net: the editors' groups follow the role assignments even where a change
    reached the database without a signal (a user deactivated in Wagtail's user admin, a group
    edited by hand). Idempotent, so acks_late is harmless."""
    return editors.editor_groups_sync().summary()
