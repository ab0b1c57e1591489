"""Registers the competence admin (lms.competence.viewsets) and its audit-log actions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_competence_viewsets():
    from lms.competence.viewsets.competences import CompetenceViewSetGroup

    return CompetenceViewSetGroup()


@hooks.register("register_log_actions")
def register_competence_log_actions(actions):
    for action, label, message in [
        ("lms.competence.create", _("Create competence"), _("Competence created")),
        ("lms.competence.update", _("Edit competence"), _("Competence edited")),
        ("lms.requirement.create", _("Create requirement"), _("Requirement created")),
        ("lms.requirement.update", _("Edit requirement"), _("Requirement edited")),
        ("lms.requirement.delete", _("Delete requirement"), _("Requirement deleted")),
        ("lms.evidence.record", _("Record evidence"), _("Evidence recorded")),
        ("lms.evidence.void", _("Void evidence"), _("Evidence voided")),
        ("lms.evidence.attach", _("Attach certificate file"), _("Certificate file attached")),
    ]:
        actions.register_action(action, label, message)
