"""Wagtail admin for the evidence ledger: find a person and see their evidence, record an external
course (with its certificate file) for one person, import external courses in bulk (upload,
preview, confirm, like the roster import), and open a stored certificate file.

Every view asks the access policy: EVIDENCE_VIEW over the person to see their evidence and files,
EVIDENCE_RECORD over the person to record. Writes go through lms.competence.services.evidence and
lms.competence.services.imports. The import is the upload, preview and confirmation of
lms.importflow.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
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

from lms import importflow
from lms.competence import access
from lms.competence.forms.evidence import ExternalEvidenceForm
from lms.competence.models import Evidence
from lms.competence.services import evidence as services
from lms.competence.services.imports import evidence_import
from lms.importflow import ImportUploadForm
from lms.parsing import parse_id
from lms.people import policy
from lms.people.models import Person
from lms.people.views.guards import PolicyRequiredMixin

A = access.Action
SESSION_KEY = "lms_evidence_import"
SEARCH_LIMIT = 50


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
        from lms.competence.selectors.status import (
            competence_status_for_person,
            evidence_for_person,
        )

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


ImportForm = ImportUploadForm


class _EvidenceImportFlow:
    session_key = SESSION_KEY
    upload_url_name = "evidence:import"
    preview_url_name = "evidence:import_preview"
    page_title = gettext_lazy("Import external courses")

    def may_import(self) -> bool:
        return policy.can(self.request.user, A.EVIDENCE_RECORD)

    def run(self, *, source, filename, dry_run):
        return evidence_import(
            source=source, filename=filename, by=self.request.user, dry_run=dry_run
        )


class ImportView(_EvidenceImportFlow, importflow.ImportView):
    form_class = ImportForm
    intro = (
        gettext_lazy(
            "Upload a file of external courses (CDE, formerly NCFE; SIRI; Infohus Nordjylland) to "
            "record them as evidence. You see what the file records before anything is saved, and "
            "a file with any error records nothing. A course already recorded is not recorded "
            "twice."
        ),
        gettext_lazy(
            "Columns: email or employee_number (or both), competence (its code), source (CDE, "
            "SIRI or Infohus Nordjylland), achieved_on (e.g. 2025-03-31 or 31-03-2025) and, if "
            "you have it, reference (the provider's certificate number)."
        ),
    )


class ImportPreviewView(_EvidenceImportFlow, importflow.ImportPreviewView):
    """GET shows what the stored file would record; POST records it (validated again)."""

    changes_heading = gettext_lazy("What the import records")
    changes_caption = gettext_lazy("The first courses to be recorded")
    change_columns = (
        gettext_lazy("Row"),
        gettext_lazy("Employee number"),
        gettext_lazy("Name"),
        gettext_lazy("Competence, source, date"),
    )


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
