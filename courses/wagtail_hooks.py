"""Registers the courses app's audit-log actions (written by courses.services)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

LEARNING_LOG_ACTIONS = (
    ("lms.course.enrol", _("Enrol in course"), _("Enrolled in course")),
    ("lms.course.lesson_complete", _("Complete lesson"), _("Lesson completed")),
    ("lms.course.attempt_start", _("Start quiz attempt"), _("Quiz attempt started")),
    ("lms.course.attempt_submit", _("Hand in quiz attempt"), _("Quiz attempt handed in")),
    ("lms.course.complete", _("Complete course"), _("Course completed")),
)


@hooks.register("register_log_actions")
def register_learning_log_actions(actions):
    for action, label, message in LEARNING_LOG_ACTIONS:
        actions.register_action(action, label, message)
