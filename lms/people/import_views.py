"""Wagtail admin: upload a roster or organisation file, preview what it changes, confirm.

The uploaded bytes are kept in the private "imports" storage (never the public media folder: a
roster is personal data) and referenced from the session, so that the confirm button applies
exactly the file that was previewed. Files left behind by abandoned previews are deleted by the
hourly task lms.people.delete_stale_import_files. Confirming
validates the file again (the roster may have changed since the preview). Who may import, and
where, is decided by the access policy.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import policy
from .imports import (
    ImportResult,
    errors_shown,
    org_units_import,
    roster_import,
    validate_import_size,
)
from .models import OrgUnit, Person
from .policy import Action

SESSION_KEY = "lms_people_import"
ROSTER = "roster"
ORG_UNITS = "org_units"
KIND_ACTIONS = {ROSTER: Action.PERSON_IMPORT, ORG_UNITS: Action.ORGUNIT_MANAGE}
KIND_LABELS = {
    ROSTER: gettext_lazy("Staff roster"),
    ORG_UNITS: gettext_lazy("Organisation units"),
}
CHANGE_LABELS = {
    "create": gettext_lazy("New"),
    "update": gettext_lazy("Changed"),
    "left": gettext_lazy("Marked as left"),
}
PREVIEW_CHANGES = 50


def allowed_kinds(user) -> list[str]:
    return [kind for kind, action in KIND_ACTIONS.items() if policy.can(user, action)]


def may_import_everywhere(user) -> bool:
    """Without an area the import may create top-level units and mark anyone as left."""
    return policy.may_create_root_unit(user)


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


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What to import"), widget=forms.RadioSelect)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma or semicolon separated, UTF-8 or Windows-1252) or Excel (.xlsx). The "
            "first row holds the column names."
        ),
        validators=[validate_import_size],
    )
    scope = AreaChoiceField(
        label=gettext_lazy("Area"),
        queryset=OrgUnit.objects.none(),
        help_text=gettext_lazy(
            "Every unit in the file must lie in this area. Only people in this area are marked "
            "as left."
        ),
    )
    mark_missing_as_left = forms.BooleanField(
        label=gettext_lazy("Mark people who are not in the file as left"),
        required=False,
        help_text=gettext_lazy(
            "Only for a complete roster of the area. Nobody is deleted; people who come back "
            "are reactivated."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = allowed_kinds(user)
        self.fields["kind"].choices = [(kind, KIND_LABELS[kind]) for kind in kinds]
        if kinds:
            self.fields["kind"].initial = kinds[0]
        unit_ids: set[int] = set()
        for kind in kinds:
            unit_ids.update(policy.org_units(user, KIND_ACTIONS[kind]).values_list("pk", flat=True))
        scope = self.fields["scope"]
        scope.queryset = OrgUnit.objects.filter(pk__in=unit_ids).order_by("path")
        if may_import_everywhere(user):
            scope.required = False
            scope.empty_label = _("The whole organisation")
        else:
            scope.empty_label = None

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind not in KIND_ACTIONS:
            return data
        scope = data.get("scope")
        if scope is None:
            if "scope" not in self.errors and not may_import_everywhere(self.user):
                self.add_error("scope", _("Choose the area to import into."))
        elif not policy.can(self.user, KIND_ACTIONS[kind], scope):
            self.add_error("scope", _("You may not import into this area."))
        return data


class ImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "people/admin/import_form.html"
    form_class = ImportForm
    page_title = gettext_lazy("Import")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not allowed_kinds(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        _discard(self.request)
        stored = storages["imports"].save(f"{uuid.uuid4()}", ContentFile(upload.read()))
        token = uuid.uuid4().hex
        scope = form.cleaned_data.get("scope")
        kind = form.cleaned_data["kind"]
        self.request.session[SESSION_KEY] = {
            "token": token,
            "path": stored,
            "kind": kind,
            "filename": upload.name,
            "scope_id": scope.pk if scope else None,
            "mark_missing_as_left": kind == ROSTER
            and form.cleaned_data.get("mark_missing_as_left", False),
        }
        return redirect("people_import_preview", token=token)


class ImportPreviewView(WagtailAdminTemplateMixin, TemplateView):
    """GET shows what the stored file would change; POST applies it."""

    template_name = "people/admin/import_preview.html"
    page_title = gettext_lazy("Import")
    page_subtitle = gettext_lazy("Preview")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.state = request.session.get(SESSION_KEY)
        if not self.state or self.state.get("token") != kwargs["token"]:
            messages.error(request, _("The import has expired. Upload the file again."))
            return redirect("people_import")
        kind = self.state["kind"]
        self.scope = None
        if self.state["scope_id"] is not None:
            self.scope = OrgUnit.objects.filter(pk=self.state["scope_id"]).first()
            if self.scope is None:
                raise PermissionDenied
        # The user's roles may have changed since the upload: ask the policy again.
        if kind not in KIND_ACTIONS or not policy.can(request.user, KIND_ACTIONS[kind]):
            raise PermissionDenied
        if self.scope is None and not may_import_everywhere(request.user):
            raise PermissionDenied
        if self.scope is not None and not policy.can(request.user, KIND_ACTIONS[kind], self.scope):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("people_import"), "label": self.get_page_title()},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def _run(self, *, dry_run: bool) -> ImportResult | None:
        try:
            with storages["imports"].open(self.state["path"], "rb") as stored:
                data = stored.read()
        except (FileNotFoundError, OSError):
            return None
        if self.state["kind"] == ROSTER:
            return roster_import(
                source=data,
                filename=self.state["filename"],
                by=self.request.user,
                dry_run=dry_run,
                mark_missing_as_left=self.state["mark_missing_as_left"],
                scope=self.scope,
            )
        return org_units_import(
            source=data,
            filename=self.state["filename"],
            by=self.request.user,
            dry_run=dry_run,
            scope=self.scope,
        )

    def _expired(self):
        _discard(self.request)
        messages.error(self.request, _("The import has expired. Upload the file again."))
        return redirect("people_import")

    def get(self, request, *args, **kwargs):
        result = self._run(dry_run=True)
        if result is None:
            return self._expired()
        return self.render_to_response(self.get_context_data(result=result))

    def post(self, request, *args, **kwargs):
        result = self._run(dry_run=False)
        if result is None:
            return self._expired()
        if not result.ok:
            # The roster changed since the preview; nothing was written.
            return self.render_to_response(self.get_context_data(result=result))
        _discard(request)
        messages.success(
            request,
            _("The import of %(filename)s is done: %(summary)s")
            % {"filename": self.state["filename"], "summary": result.summary()},
        )
        return redirect("people_import")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result: ImportResult = kwargs["result"]
        model = Person if self.state["kind"] == ROSTER else OrgUnit
        errors, hidden_errors = errors_shown(result.errors)
        context.update(
            state=self.state,
            token=self.state["token"],
            kind_label=KIND_LABELS[self.state["kind"]],
            scope=self.scope,
            errors=errors,
            hidden_errors=hidden_errors,
            changes=[
                {
                    "row": change.row,
                    "action": CHANGE_LABELS[change.action],
                    "key": change.key,
                    "name": change.name,
                    "fields": ", ".join(_field_label(model, name) for name in change.fields),
                }
                for change in result.changes[:PREVIEW_CHANGES]
            ],
            hidden_changes=max(len(result.changes) - PREVIEW_CHANGES, 0),
        )
        return context


def _field_label(model, name: str) -> str:
    if name == "parent":
        return _("parent unit")
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _discard(request) -> None:
    """Forget the previewed file: after a successful import or when a new file replaces it."""
    state = request.session.pop(SESSION_KEY, None)
    if state and state.get("path"):
        storages["imports"].delete(state["path"])


urlpatterns = [
    path("people-import/", ImportView.as_view(), name="people_import"),
    path("people-import/<str:token>/", ImportPreviewView.as_view(), name="people_import_preview"),
]
