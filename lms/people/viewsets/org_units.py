"""Wagtail admin for the organisation tree.

Reuses the scoped views of lms.people.viewsets.scoped: every queryset is narrowed to what the
access policy allows (lms.people.policy, through lms.people.permissions) and every change goes
through lms.people.services (never form.save()), so the audit log sees each change.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from lms.forms import OrgUnitChoiceField
from lms.people import policy, services
from lms.people.filters import OrgUnitFilterSet
from lms.people.models import OrgUnit
from lms.people.viewsets.scoped import (
    ScopedEditView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceFormMixin,
)


class OrgUnitForm(WagtailAdminModelForm):
    parent = OrgUnitChoiceField(
        label=_("Parent unit"), queryset=OrgUnit.objects.none(), required=False
    )

    class Meta:
        model = OrgUnit
        fields = ["code", "name", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        units = policy.org_units(user, policy.Action.ORGUNIT_MANAGE).order_by("path")
        parent_field = self.fields["parent"]
        if self.instance.pk is None:
            parent_field.queryset = units
            parent_field.required = not policy.may_create_root_unit(user)
            return
        current = self.instance.get_parent()
        may_move_here = (
            policy.may_create_root_unit(user)
            if current is None
            else policy.can(user, policy.Action.ORGUNIT_MANAGE, current)
        )
        if not may_move_here:
            # The top of the user's own area: its place in the tree is someone else's decision.
            del self.fields["parent"]
            return
        parent_field.queryset = units.exclude(path__startswith=self.instance.path)
        parent_field.initial = current
        parent_field.required = not policy.may_create_root_unit(user)


class OrgUnitIndexView(ScopedIndexView):
    default_ordering = "path"
    title_label = _("Name")

    def get_base_queryset(self):
        # The parent's name in the same query: its path is this path minus one step.
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - OrgUnit.steplen)
        parent_name = OrgUnit.objects.filter(path=parent_path).values("name")[:1]
        return super().get_base_queryset().annotate(parent_name=Subquery(parent_name))


class OrgUnitCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.org_unit_create(
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            parent=data.get("parent"),
            by=self.request.user,
        )


class OrgUnitEditView(ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        unit = services.org_unit_update(
            unit=self.object,
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            by=self.request.user,
        )
        if "parent" in self.form.fields:
            unit = services.org_unit_move(
                unit=unit, new_parent=data.get("parent"), by=self.request.user
            )
        return unit


class OrgUnitViewSet(ScopedViewSet):
    model = OrgUnit
    form_class = OrgUnitForm
    icon = "site"
    menu_label = _("Organisation units")
    name = "org_units"
    index_view_class = OrgUnitIndexView
    add_view_class = OrgUnitCreateView
    edit_view_class = OrgUnitEditView
    list_display = ["indented_name", "code", "kind", Column("parent_name", label=_("Parent"))]
    filterset_class = OrgUnitFilterSet
    search_fields = ["name", "code"]
    search_backend_name = None
    list_per_page = 100
    inspect_view_fields = ["name", "code", "kind"]
