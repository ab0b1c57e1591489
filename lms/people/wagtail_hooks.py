"""Registers the organisation admin (lms.people.viewsets) and its audit-log actions."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter


@hooks.register("register_admin_viewset")
def register_organisation_viewsets():
    from lms.people.viewsets.organisation import OrganisationViewSetGroup

    return OrganisationViewSetGroup()


class ChangedFieldsFormatter(LogFormatter):
    """'Edited: name, org unit' from the field names an update service logged."""

    model = None

    def format_message(self, log_entry):
        names = (log_entry.data or {}).get("fields") or []
        labels = []
        for name in names:
            try:
                labels.append(str(self.model._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:
                labels.append(name)
        if not labels:
            return self.message
        return f"{self.message}: {', '.join(labels)}"


@hooks.register("register_log_actions")
def register_people_log_actions(actions):
    from lms.people.models import JobCategory, OrgUnit, Person

    simple = [
        ("lms.person.create", _("Create person"), _("Person created")),
        ("lms.person.mark_left", _("Mark person as left"), _("Person marked as left")),
        ("lms.person.anonymise", _("Anonymise person"), _("Person anonymised")),
        ("lms.role.create", _("Grant role"), _("Role granted")),
        ("lms.role.delete", _("Revoke role"), _("Role revoked")),
        ("lms.orgunit.create", _("Create organisation unit"), _("Organisation unit created")),
        ("lms.orgunit.move", _("Move organisation unit"), _("Organisation unit moved")),
        ("lms.jobcategory.create", _("Create job category"), _("Job category created")),
    ]
    for action, label, message in simple:
        actions.register_action(action, label, message)
    updates = [
        ("lms.person.update", Person, _("Edit person"), _("Person edited")),
        ("lms.orgunit.update", OrgUnit, _("Edit organisation unit"), _("Organisation unit edited")),
        ("lms.jobcategory.update", JobCategory, _("Edit job category"), _("Job category edited")),
    ]
    for action, model, label, message in updates:
        formatter = type(
            f"{model.__name__}ChangedFieldsFormatter",
            (ChangedFieldsFormatter,),
            {"model": model, "label": label, "message": message},
        )
        actions.register_action(action)(formatter)


@hooks.register("register_admin_urls")
def register_import_urls():
    from lms.people.viewsets.imports import urlpatterns

    return urlpatterns


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    from lms.people.viewsets.imports import ImportMenuItem

    return ImportMenuItem()


@hooks.register("register_log_actions")
def register_import_log_actions(actions):
    from lms.people import models
    from lms.people.services.imports import LOG_ACTIONS

    for action, (model_name, label, message) in LOG_ACTIONS.items():
        formatter = type(
            f"{model_name}ImportFormatter",
            (ChangedFieldsFormatter,),
            {"model": getattr(models, model_name), "label": label, "message": message},
        )
        actions.register_action(action)(formatter)
