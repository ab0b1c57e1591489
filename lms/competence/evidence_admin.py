"""Wagtail admin for the evidence ledger: find a person and see their evidence, record an external
course (with its certificate file) for one person, import external courses in bulk (upload,
preview, confirm, like the roster import), and open a stored certificate file.

Every view asks the access policy: EVIDENCE_VIEW over the person to see their evidence and files,
EVIDENCE_RECORD over the person to record. Writes go through lms.competence.services and
lms.competence.imports. The import file is kept in the private "imports" storage between the
preview and the confirmation (its name in the session), like lms.people.import_views.
"""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import AdminDateInput

from lms.parsing import parse_id
from lms.people import policy
from lms.people.imports import errors_shown, validate_import_size
from lms.people.models import Person
from lms.people.views import PolicyRequiredMixin

from . import services
from .imports import EvidenceImportResult, evidence_import
from .models import Competence, Evidence

A = policy.Action
SESSION_KEY = "lms_evidence_import"
SEARCH_LIMIT = 50
PREVIEW_ROWS = 50


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Name and unit; the email tells namesakes apart.
        return f"{obj.name} ({obj.email}, {obj.org_unit.name})"


class ExternalEvidenceForm(forms.Form):
    person = PersonChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())
    competence = forms.ModelChoiceField(
        label=gettext_lazy("Competence"), queryset=Competence.objects.filter(active=True)
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Course provider"),
        choices=[(value, Evidence.Source(value).label) for value in services.EXTERNAL_SOURCES],
        widget=forms.RadioSelect,
    )
    achieved_on = forms.DateField(label=gettext_lazy("Completed on"), widget=AdminDateInput)
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=services.EXTERNAL_REFERENCE_MAX_LENGTH,
        help_text=gettext_lazy(
            "The provider's certificate or course number, if there is one. The same course is "
            "recorded once."
        ),
    )
    attachment = forms.FileField(
        label=gettext_lazy("Certificate file"),
        required=False,
        help_text=gettext_lazy("Optional: the course certificate as PDF, PNG or JPEG, up to 5 MB."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            policy.people(user, A.EVIDENCE_RECORD)
            .filter(active=True, anonymised_at__isnull=True)
            .select_related("org_unit")
            .order_by("name", "pk")
        )
        self.fields["competence"].queryset = policy.competences_visible_to(
            user, Competence.objects.filter(active=True)
        )


class _EvidenceViewMixin(WagtailAdminTemplateMixin):
    header_icon = "success"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class PeopleSearchView(PolicyRequiredMixin, _EvidenceViewMixin, TemplateView):
    """Find a person whose evidence the user may see."""

    template_name = "competence/admin/evidence_people.html"
    page_title = gettext_lazy("Evidence")
    policy_action = A.EVIDENCE_VIEW

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        people = []
        if query:
            people = list(
                policy.people(self.request.user, A.EVIDENCE_VIEW)
                .filter(anonymised_at__isnull=True)
                .filter(
                    Q(name__icontains=query) | Q(email__icontains=query) | Q(employee_number=query)
                )
                .select_related("org_unit")
                .order_by("name", "pk")[:SEARCH_LIMIT]
            )
        context.update(
            query=query,
            people=people,
            may_record=policy.can(self.request.user, A.EVIDENCE_RECORD),
        )
        return context


def _person_for(user, pk: int, action) -> Person:
    person = get_object_or_404(Person.objects.select_related("org_unit"), pk=pk)
    if not policy.can(user, action, person):
        # Not "forbidden": whether someone outside the user's area exists is not theirs to know.
        raise Http404
    return person


class PersonEvidenceView(_EvidenceViewMixin, TemplateView):
    template_name = "competence/admin/person_evidence.html"

    def dispatch(self, request, *args, **kwargs):
        self.person = _person_for(request.user, kwargs["pk"], A.EVIDENCE_VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Evidence: %(name)s") % {"name": self.person.name}

    def get_context_data(self, **kwargs):
        from .selectors import competence_status_for_person, evidence_for_person

        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person,
            statuses=competence_status_for_person(person=self.person),
            evidence=list(evidence_for_person(person=self.person)),
            may_record=policy.can(self.request.user, A.EVIDENCE_RECORD, self.person)
            and self.person.active,
        )
        return context


class RecordExternalView(PolicyRequiredMixin, _EvidenceViewMixin, FormView):
    template_name = "competence/admin/record_external.html"
    form_class = ExternalEvidenceForm
    page_title = gettext_lazy("Record external course")
    policy_action = A.EVIDENCE_RECORD

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"achieved_on": timezone.localdate()}
        if person := self.request.GET.get("person", ""):
            initial["person"] = parse_id(person)
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            evidence, created = services.evidence_record_external(
                person=data["person"],
                competence=data["competence"],
                source=data["source"],
                achieved_on=data["achieved_on"],
                reference=data.get("reference") or "",
                attachment=data.get("attachment"),
                by=self.request.user,
            )
        except ValidationError as error:
            fields = set(form.fields)
            for field, errors in error.message_dict.items():
                form.add_error(field if field in fields else None, errors)
            return self.form_invalid(form)
        if created:
            messages.success(self.request, _("The external course has been recorded."))
        else:
            messages.warning(
                self.request,
                _("This course was already recorded for the person. Nothing was changed."),
            )
        return redirect("evidence:person", pk=evidence.person_id)


class AttachmentView(View):
    """A stored certificate file, for those who may see the person's evidence."""

    def get(self, request, pk: int):
        evidence = get_object_or_404(Evidence.objects.select_related("person__org_unit"), pk=pk)
        if not evidence.attachment or not policy.can(
            request.user, A.EVIDENCE_VIEW, evidence.person
        ):
            raise Http404
        try:
            handle = evidence.attachment.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        kind = services.attachment_type(handle.read(16))
        handle.seek(0)
        if kind is None:
            raise Http404
        extension, content_type = kind
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=True,
            filename=f"evidence-{evidence.pk}.{extension}",
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- Bulk import ---------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (comma or semicolon separated, UTF-8 or Windows-1252) or Excel (.xlsx). The "
            "first row holds the column names."
        ),
        validators=[validate_import_size],
    )


def _discard(request) -> None:
    state = request.session.pop(SESSION_KEY, None)
    if state and state.get("path"):
        storages["imports"].delete(state["path"])


class ImportView(_EvidenceViewMixin, FormView):
    template_name = "competence/admin/evidence_import_form.html"
    form_class = ImportForm
    page_title = gettext_lazy("Import external courses")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not policy.can(request.user, A.EVIDENCE_RECORD):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        _discard(self.request)
        stored = storages["imports"].save(f"{uuid.uuid4()}", ContentFile(upload.read()))
        token = uuid.uuid4().hex
        self.request.session[SESSION_KEY] = {
            "token": token,
            "path": stored,
            "filename": upload.name,
        }
        return redirect("evidence:import_preview", token=token)


class ImportPreviewView(_EvidenceViewMixin, TemplateView):
    """GET shows what the stored file would record; POST records it (validated again)."""

    template_name = "competence/admin/evidence_import_preview.html"
    page_title = gettext_lazy("Import external courses")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not policy.can(request.user, A.EVIDENCE_RECORD):
            raise PermissionDenied
        self.state = request.session.get(SESSION_KEY)
        if not self.state or self.state.get("token") != kwargs["token"]:
            messages.error(request, _("The import has expired. Upload the file again."))
            return redirect("evidence:import")
        return super().dispatch(request, *args, **kwargs)

    def _run(self, *, dry_run: bool) -> EvidenceImportResult | None:
        try:
            with storages["imports"].open(self.state["path"], "rb") as stored:
                data = stored.read()
        except (FileNotFoundError, OSError):
            return None
        return evidence_import(
            source=data, filename=self.state["filename"], by=self.request.user, dry_run=dry_run
        )

    def _expired(self):
        _discard(self.request)
        messages.error(self.request, _("The import has expired. Upload the file again."))
        return redirect("evidence:import")

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
            return self.render_to_response(self.get_context_data(result=result))
        _discard(request)
        messages.success(
            request,
            _("The import of %(filename)s is done: %(summary)s")
            % {"filename": self.state["filename"], "summary": result.summary()},
        )
        return redirect("evidence:import")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        result: EvidenceImportResult = kwargs["result"]
        errors, hidden_errors = errors_shown(result.errors)
        context.update(
            state=self.state,
            token=self.state["token"],
            errors=errors,
            hidden_errors=hidden_errors,
            changes=result.changes[:PREVIEW_ROWS],
            hidden_changes=max(len(result.changes) - PREVIEW_ROWS, 0),
            sources=dict(Evidence.Source.choices),
        )
        return context


# --- Registration -------------------------------------------------------------------------------


class EvidenceMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.can(request.user, A.EVIDENCE_VIEW)


class EvidenceViewSet(ViewSet):
    name = "evidence"
    icon = "success"
    menu_label = gettext_lazy("Evidence")
    menu_item_class = EvidenceMenuItem

    def get_urlpatterns(self):
        return [
            path("", PeopleSearchView.as_view(), name="index"),
            path("person/<int:pk>/", PersonEvidenceView.as_view(), name="person"),
            path("record/", RecordExternalView.as_view(), name="record"),
            path("<int:pk>/attachment/", AttachmentView.as_view(), name="attachment"),
            path("import/", ImportView.as_view(), name="import"),
            path("import/<str:token>/", ImportPreviewView.as_view(), name="import_preview"),
        ]
