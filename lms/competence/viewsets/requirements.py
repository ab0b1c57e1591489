"""Wagtail admin for requirements: which job categories in which org subtree must hold a
competence.

Reuses the scoped views of lms.people.viewsets.scoped: every queryset is narrowed by the access
policy (through the permission policies in lms.competence.permissions) and every change goes
through lms.competence.services.requirements.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views import generic

from lms.competence import access
from lms.competence.models import Competence, Requirement
from lms.competence.services import requirements as requirement_services
from lms.forms import OrgUnitChoiceField
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit
from lms.people.viewsets.scoped import (
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceFormMixin,
)


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
            self.for_user, access.Action.REQUIREMENT_MANAGE
        ).order_by("path")
        # Inactive competences are not offered, except the one a requirement already names.
        # Shared competences and those of the user's municipality (the service checks the unit).
        usable = access.competences_visible_to(self.for_user, Competence.objects.all())
        self.fields["competence"].queryset = usable.filter(
            Q(active=True) | Q(pk=self.instance.competence_id)
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("competence") and cleaned.get("org_unit"):
            try:
                requirement_services.requirement_validate(
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
        return requirement_services.requirement_create(
            by=self.request.user, **_requirement_fields(self.form)
        )


class RequirementEditView(ScopedEditView):
    def save_instance(self):
        return requirement_services.requirement_update(
            requirement=self.object, by=self.request.user, **_requirement_fields(self.form)
        )


class RequirementDeleteView(ScopedDeleteView):
    def delete_action(self):
        requirement_services.requirement_delete(requirement=self.object, by=self.request.user)


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
