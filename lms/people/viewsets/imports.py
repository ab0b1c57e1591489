"""Wagtail admin: upload a roster or organisation file, preview what it changes, confirm.

The flow (stored upload, preview, confirmation) is lms.importflow's; this module adds what the
two imports choose (what to import, the area, marking people as left) and what the preview shows.
Who may import, and where, is decided by the access policy.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.urls import path, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from lms import importflow
from lms.people import policy
from lms.people.forms.imports import (
    KIND_ACTIONS,
    KIND_LABELS,
    ROSTER,
    ImportForm,
    allowed_kinds,
    may_import_everywhere,
)
from lms.people.models import OrgUnit, Person
from lms.people.policy import Action
from lms.people.services.org_unit_import import org_units_import
from lms.people.services.roster_import import roster_import

SESSION_KEY = "lms_people_import"
CHANGE_LABELS = {
    "create": gettext_lazy("New"),
    "update": gettext_lazy("Changed"),
    "left": gettext_lazy("Marked as left"),
}


class ImportMenuItem(MenuItem):
    def __init__(self):
        super().__init__(
            gettext_lazy("Import"),
            reverse_lazy("people_import"),
            name="people-import",
            icon_name="upload",
            order=290,
        )

    def is_shown(self, request):
        return policy.can(request.user, Action.PERSON_IMPORT) or policy.can(
            request.user, Action.ORGUNIT_MANAGE
        )


class _PeopleImportFlow:
    session_key = SESSION_KEY
    upload_url_name = "people_import"
    preview_url_name = "people_import_preview"
    page_title = gettext_lazy("Import")


class ImportView(_PeopleImportFlow, importflow.ImportView):
    form_class = ImportForm
    intro = (
        gettext_lazy(
            "Upload a file to add and update people or organisation units. You see what the file "
            "changes before anything is saved, and a file with any error changes nothing."
        ),
        gettext_lazy(
            "Columns of a staff roster: employee_number, name, email, org_unit_code, job_category "
            "and, if you have it, manager_employee_number."
        ),
        gettext_lazy("Columns of organisation units: code, name, kind, parent_code."),
    )

    def may_import(self) -> bool:
        return bool(allowed_kinds(self.request.user))

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_state(self, form):
        scope = form.cleaned_data.get("scope")
        kind = form.cleaned_data["kind"]
        return {
            "kind": kind,
            "scope_id": scope.pk if scope else None,
            "mark_missing_as_left": kind == ROSTER
            and form.cleaned_data.get("mark_missing_as_left", False),
        }


class ImportPreviewView(_PeopleImportFlow, importflow.ImportPreviewView):
    def may_import(self) -> bool:
        return True  # what the upload chose is checked in check_state

    def check_state(self) -> None:
        kind = self.state["kind"]
        self.scope = None
        if self.state["scope_id"] is not None:
            self.scope = OrgUnit.objects.filter(pk=self.state["scope_id"]).first()
            if self.scope is None:
                raise PermissionDenied
        # The user's roles may have changed since the upload: ask the policy again.
        user = self.request.user
        if kind not in KIND_ACTIONS or not policy.can(user, KIND_ACTIONS[kind]):
            raise PermissionDenied
        if self.scope is None and not may_import_everywhere(user):
            raise PermissionDenied
        if self.scope is not None and not policy.can(user, KIND_ACTIONS[kind], self.scope):
            raise PermissionDenied

    def run(self, *, source, filename, dry_run):
        if self.state["kind"] == ROSTER:
            return roster_import(
                source=source,
                filename=filename,
                by=self.request.user,
                dry_run=dry_run,
                mark_missing_as_left=self.state["mark_missing_as_left"],
                scope=self.scope,
            )
        return org_units_import(
            source=source,
            filename=filename,
            by=self.request.user,
            dry_run=dry_run,
            scope=self.scope,
        )

    @property
    def is_roster(self) -> bool:
        return self.state["kind"] == ROSTER

    def facts(self):
        facts = [
            *super().facts(),
            (_("What to import"), KIND_LABELS[self.state["kind"]]),
            (_("Area"), self.scope.name if self.scope else _("The whole organisation")),
        ]
        if self.is_roster:
            facts.append(
                (
                    _("Mark people who are not in the file as left"),
                    _("yes,no").split(",")[0 if self.state["mark_missing_as_left"] else 1],
                )
            )
        return facts

    def counts(self, result):
        counts = [
            (_("New"), result.created),
            (_("Changed"), result.updated),
            (_("Unchanged"), result.unchanged),
        ]
        if self.is_roster:
            counts.append((_("Marked as left"), result.marked_left))
        return counts

    @property
    def change_columns(self):
        return (
            _("Row"),
            _("Change"),
            _("Employee number") if self.is_roster else _("Code"),
            _("Name"),
            _("Fields"),
        )

    def change_cells(self, change):
        model = Person if self.is_roster else OrgUnit
        return [
            change.row,
            CHANGE_LABELS[change.action],
            change.key,
            change.name,
            ", ".join(_field_label(model, name) for name in change.fields),
        ]


def _field_label(model, name: str) -> str:
    if name == "parent":
        return _("parent unit")
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


urlpatterns = [
    path("people-import/", ImportView.as_view(), name="people_import"),
    path("people-import/<str:token>/", ImportPreviewView.as_view(), name="people_import_preview"),
]
