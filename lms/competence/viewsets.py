"""Wagtail admin for competences and requirements.

Reuses the scoped views of lms.people.viewsets: every queryset is narrowed by the access policy
(through the permission policies in permissions.py) and every change goes through
lms.competence.services.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup

from lms import bounds
from lms.competence import services
from lms.competence.evidence_admin import EvidenceViewSet
from lms.competence.models import Competence, Requirement
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit
from lms.people.viewsets import (
    OrgUnitChoiceField,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceFormMixin,
)

# --- Forms --------------------------------------------------------------------------------------


class CompetenceForm(WagtailAdminModelForm):
    owner = OrgUnitChoiceField(
        label=_("Owned by"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Shared by every municipality"),
        help_text=Competence._meta.get_field("owner").help_text,
    )

    class Meta:
        model = Competence
        fields = ["code", "name", "description", "validity_months", "active", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        owner = self.fields["owner"]
        owner.queryset = policy.competence_owner_units(user).order_by("path")
        # A coordinator of one municipality keeps competences there: no "shared" choice.
        owner.required = not policy.manages_shared_competences(user)
        if self.instance.pk is None and owner.required:
            owner.initial = owner.queryset.first()
        bounds.form_limits(self)

    # Uniqueness is checked by the service, with a clear message, in the same transaction.
    def validate_unique(self):
        pass


class RequirementForm(WagtailAdminModelForm):
    org_unit = OrgUnitChoiceField(label=_("Organisation unit"), queryset=OrgUnit.objects.none())
    job_categories = forms.ModelMultipleChoiceField(
        label=_("Job categories"),
        queryset=JobCategory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Requirement
        fields = ["competence", "org_unit", "job_categories"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = policy.org_units(
            self.for_user, policy.Action.REQUIREMENT_MANAGE
        ).order_by("path")
        # Inactive competences are not offered, except the one a requirement already names.
        # Shared competences and those of the user's municipality (the service checks the unit).
        usable = policy.competences_visible_to(self.for_user, Competence.objects.all())
        self.fields["competence"].queryset = usable.filter(
            Q(active=True) | Q(pk=self.instance.competence_id)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("competence") and cleaned.get("org_unit"):
            try:
                services.requirement_validate(
                    competence=cleaned["competence"],
                    org_unit=cleaned["org_unit"],
                    job_categories=list(cleaned.get("job_categories") or []),
                    exclude=self.instance.pk,
                )
            except ValidationError as error:
                # A field with an error is left out of the model's own (generic) constraint check.
                for field, messages in error.message_dict.items():
                    if field not in self.errors:
                        self.add_error(field, messages)
        return cleaned


# --- Competences --------------------------------------------------------------------------------


def _competence_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "code": data["code"],
        "name": data["name"],
        "description": data.get("description") or "",
        "validity_months": data.get("validity_months"),
        "active": data["active"],
        "owner": data.get("owner"),
    }


def _owner_label(competence) -> str:
    return competence.owner.name if competence.owner_id else _("Shared")


class CompetenceIndexView(ScopedIndexView):
    select_related = ("owner",)

    def get_edit_url(self, instance):
        # Wagtail asks "may change any?"; a competence is changed by its owner's coordinators
        # only (a shared one by a regional Infohus). No query per row: the owner is selected.
        if policy.may_manage_competence(self.request.user, instance):
            return super().get_edit_url(instance)
        return None


class CompetenceCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.competence_create(by=self.request.user, **_competence_fields(self.form))


class CompetenceEditView(ScopedEditView):
    def save_instance(self):
        return services.competence_update(
            competence=self.object, by=self.request.user, **_competence_fields(self.form)
        )


class CompetenceViewSet(ScopedViewSet):
    model = Competence
    form_class = CompetenceForm
    icon = "success"
    menu_label = _("Competences")
    name = "competences"
    index_view_class = CompetenceIndexView
    add_view_class = CompetenceCreateView
    edit_view_class = CompetenceEditView
    list_display = [
        "name",
        "code",
        Column("validity_months", label=_("Validity (months)")),
        Column("owner", label=_("Owned by"), accessor=_owner_label),
        BooleanColumn("active", label=_("Active"), sort_key="active"),
    ]
    list_filter = ["active"]
    search_fields = ["name", "code"]
    search_backend_name = None
    inspect_view_fields = ["name", "code", "description", "validity_months", "active", "owner"]


# --- Requirements -------------------------------------------------------------------------------


def _requirement_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "competence": data["competence"],
        "org_unit": data["org_unit"],
        "job_categories": data["job_categories"],
    }


class RequirementIndexView(ScopedIndexView):
    select_related = ("competence", "org_unit")
    title_label = _("Competence")


class RequirementCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return services.requirement_create(by=self.request.user, **_requirement_fields(self.form))


class RequirementEditView(ScopedEditView):
    def save_instance(self):
        return services.requirement_update(
            requirement=self.object, by=self.request.user, **_requirement_fields(self.form)
        )


class RequirementDeleteView(ScopedDeleteView):
    def delete_action(self):
        services.requirement_delete(requirement=self.object, by=self.request.user)


class RequirementViewSet(ScopedViewSet):
    model = Requirement
    form_class = RequirementForm
    icon = "list-ul"
    menu_label = _("Requirements")
    name = "requirements"
    index_view_class = RequirementIndexView
    add_view_class = RequirementCreateView
    edit_view_class = RequirementEditView
    delete_view_class = RequirementDeleteView
    list_display = ["competence", "org_unit"]
    search_fields = ["competence__name", "org_unit__name", "org_unit__code"]
    search_backend_name = None
    inspect_view_fields = ["competence", "org_unit", "job_categories"]


class CompetenceViewSetGroup(ModelViewSetGroup):
    menu_label = _("Competences")
    menu_icon = "success"
    menu_order = 260
    items = (CompetenceViewSet, RequirementViewSet, EvidenceViewSet)
