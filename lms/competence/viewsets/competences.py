"""Wagtail admin for competences, and the menu group of the competence admin (competences,
requirements, evidence).

Reuses the scoped views of lms.people.viewsets.scoped: every queryset is narrowed by the access
policy (through the permission policies in permissions.py) and every change goes through
lms.competence.services.competences.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSetGroup

from lms import bounds
from lms.competence import access
from lms.competence.models import Competence
from lms.competence.services import competences as competence_services
from lms.competence.viewsets.evidence import EvidenceViewSet
from lms.competence.viewsets.requirements import RequirementViewSet
from lms.forms import OrgUnitChoiceField
from lms.people.models import OrgUnit
from lms.people.viewsets.scoped import (
    ScopedEditView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceFormMixin,
)


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
        owner.queryset = access.competence_owner_units(user).order_by("path")
        # A coordinator of one municipality keeps competences there: no "shared" choice.
        owner.required = not access.manages_shared_competences(user)
        if self.instance.pk is None and owner.required:
            owner.initial = owner.queryset.first()
        bounds.form_limits(self)

    # Uniqueness is checked by the service, with a clear message, in the same transaction.
    def validate_unique(self):
        pass


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
        if access.may_manage_competence(self.request.user, instance):
            return super().get_edit_url(instance)
        return None


class CompetenceCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        return competence_services.competence_create(
            by=self.request.user, **_competence_fields(self.form)
        )


class CompetenceEditView(ScopedEditView):
    def save_instance(self):
        return competence_services.competence_update(
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


class CompetenceViewSetGroup(ModelViewSetGroup):
    menu_label = _("Competences")
    menu_icon = "success"
    menu_order = 260
    items = (CompetenceViewSet, RequirementViewSet, EvidenceViewSet)
