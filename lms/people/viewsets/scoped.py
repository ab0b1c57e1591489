"""Wagtail admin for the organisation tree, the roster, job categories and role assignments.

Access is decided by lms.people.policy through the permission policies in permissions.py: the
views below only narrow every queryset to what the policy allows and hand every change to
lms.people.services (never form.save()), so the audit log sees each change.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.coreutils import multigetattr

from lms import display
from lms.people import policy, services
from lms.people.filters import OrgUnitFilterSet, PersonFilterSet, RoleAssignmentFilterSet
from lms.people.models import JobCategory, OrgUnit, Person, Role, RoleAssignment, User

# --- Forms --------------------------------------------------------------------------------------


class OrgUnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.email


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


class PersonForm(WagtailAdminModelForm):
    org_unit = OrgUnitChoiceField(label=_("Organisation unit"), queryset=OrgUnit.objects.none())

    class Meta:
        model = Person
        fields = list(services.PERSON_EDITABLE_FIELDS)
        widgets = {"left_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["org_unit"].queryset = policy.org_units(
            user, policy.Action.PERSON_MANAGE
        ).order_by("path")
        managers = policy.people(user, policy.Action.PERSON_VIEW).filter(anonymised_at__isnull=True)
        if self.instance.pk is not None:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = managers.order_by("name", "pk")

    def clean(self):
        """Ask the service's own validation (no copy of its rules here), so that its clear
        messages land on the fields. A field with an error is left out of the model's constraint
        check that follows, which would otherwise only say "constraint ... is violated"."""
        cleaned = super().clean()
        if self.errors:
            return cleaned
        candidate = Person(
            pk=self.instance.pk,
            anonymised_at=self.instance.anonymised_at,
            **{name: cleaned.get(name) for name in services.PERSON_EDITABLE_FIELDS},
        )
        if candidate.employee_number is None:
            candidate.employee_number = ""
        try:
            services.person_validate(person=candidate)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class JobCategoryForm(WagtailAdminModelForm):
    class Meta:
        model = JobCategory
        fields = ["code", "name", "is_frontline"]


class RoleAssignmentForm(WagtailAdminModelForm):
    user = UserChoiceField(label=_("User"), queryset=User.objects.none())
    org_unit = OrgUnitChoiceField(label=_("Organisation unit"), queryset=OrgUnit.objects.none())

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "org_unit"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        self.fields["user"].queryset = policy.assignable_users(user).order_by("email")
        self.fields["org_unit"].queryset = policy.org_units(
            user, policy.Action.ROLE_MANAGE
        ).order_by("path")


# --- Views --------------------------------------------------------------------------------------


class ScopedMixin:
    """Narrows the rows a view may load to those the access policy allows; others are 404."""

    scope_actions: tuple[str, ...] = ("view", "change")

    def scoped_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, list(self.scope_actions)
        )


class ServiceFormMixin:
    """Saves through a service; a ValidationError from it becomes a form error, nothing saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                form.add_error(None, error)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ScopedIndexView(ScopedMixin, generic.IndexView):
    select_related: tuple[str, ...] = ()
    title_label = None
    # Wagtail writes times to CSV as UTC text and to XLSX as naive UTC; ours are local time.
    custom_value_preprocess = {
        **generic.IndexView.custom_value_preprocess,
        dt.datetime: {
            generic.IndexView.FORMAT_CSV: display.export_csv_datetime,
            generic.IndexView.FORMAT_XLSX: display.export_xlsx_datetime,
        },
        # Wagtail writes a yes/no column as Python's "True"/"False": Ja/Nej as the list shows.
        bool: {
            generic.IndexView.FORMAT_CSV: display.export_bool,
            generic.IndexView.FORMAT_XLSX: display.export_bool,
        },
    }

    def to_row_dict(self, item):
        # A dotted column through an empty relation ("meeting.title" of a distribution without a
        # meeting) is an empty cell, not an error.
        return {field: _follow(item, field) for field in self.list_export}

    def get_base_queryset(self):
        if self.is_export:
            if not self.user_has_permission("export"):
                raise PermissionDenied
            queryset = self.permission_policy.instances_user_has_permission_for(
                self.request.user, "export"
            )
        else:
            queryset = self.scoped_queryset()
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    @cached_property
    def show_export_buttons(self):
        return bool(self.list_export) and self.user_has_permission("export")

    @cached_property
    def columns(self):
        columns = super().columns
        if self.title_label:
            columns[0].label = self.title_label
        for column in columns:
            # Plain value cells show a dash for nothing (Wagtail's leave the cell blank).
            if type(column) is Column:
                column.cell_template_name = "lms/admin/table_cell.html"
        return columns


def _follow(item, accessor: str):
    for name in accessor.split("."):
        if item is None:
            return None
        item = multigetattr(item, name)
    return item


class ScopedEditView(ScopedMixin, ServiceFormMixin, generic.EditView):
    scope_actions = ("change",)

    def get_queryset(self):
        return self.scoped_queryset()


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped_queryset(), pk=self.pk)

    def get_field_display_value(self, field_name, field):
        # Wagtail's template prints the value through |localize, which leaves a time in UTC and
        # None as "None": local time, a dash and yes/no instead (lms.display).
        value = super().get_field_display_value(field_name, field)
        return display.EMPTY if value == "-" else display.display_value(value)


class ScopedHistoryView(ScopedMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedUsageView(ScopedMixin, usage.UsageView):
    scope_actions = ("change",)

    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    scope_actions = ("delete",)

    def get_queryset(self):
        return self.scoped_queryset()


class ScopedViewSet(ModelViewSet):
    """Common wiring: scoped views, no copy view, an inspect view, our forms."""

    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    delete_view_class = ScopedDeleteView
    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False
    form_class: type[forms.ModelForm]

    def get_form_class(self, for_update=False):
        return self.form_class

    def get_permissions_to_register(self):
        # Wagtail's group editor must not offer Django permissions that grant nothing here:
        # access comes from role assignments only.
        from django.contrib.auth.models import Permission

        return Permission.objects.none()


# Organisation units


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


# People


class PersonIndexView(ScopedIndexView):
    select_related = ("org_unit", "job_category")
    default_ordering = "name"


class PersonCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = {k: self.form.cleaned_data.get(k) for k in services.PERSON_EDITABLE_FIELDS}
        return services.person_create(by=self.request.user, **data)


class PersonEditView(ScopedEditView):
    def get_queryset(self):
        return super().get_queryset().select_related("org_unit")

    def save_instance(self):
        data = {k: self.form.cleaned_data.get(k) for k in services.PERSON_EDITABLE_FIELDS}
        return services.person_update(person=self.object, by=self.request.user, **data)


class PersonViewSet(ScopedViewSet):
    model = Person
    form_class = PersonForm
    icon = "user"
    menu_label = _("People")
    name = "persons"
    index_view_class = PersonIndexView
    add_view_class = PersonCreateView
    edit_view_class = PersonEditView
    list_display = [
        "name",
        "email",
        "employee_number",
        "org_unit",
        "job_category",
        BooleanColumn("active", label=_("Active"), sort_key="active"),
    ]
    filterset_class = PersonFilterSet
    search_fields = ["name", "email", "employee_number"]
    search_backend_name = None
    list_export = [
        "name",
        "email",
        "employee_number",
        "org_unit.code",
        "org_unit.name",
        "job_category.name",
        "active",
        "left_on",
    ]
    export_headings = {
        "name": _("Name"),
        "email": _("Email"),
        "employee_number": _("Employee number"),
        "org_unit.code": _("Org unit code"),
        "org_unit.name": _("Organisation unit"),
        "job_category.name": _("Job category"),
        "active": _("Active"),
        "left_on": _("Left on"),
    }
    export_filename = "personer"
    inspect_view_fields = [
        "name",
        "email",
        "employee_number",
        "org_unit",
        "job_category",
        "manager",
        "active",
        "left_on",
        "anonymised_at",
    ]


# Job categories


class JobCategoryCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.job_category_create(
            code=data["code"],
            name=data["name"],
            is_frontline=data["is_frontline"],
            by=self.request.user,
        )


class JobCategoryEditView(ScopedEditView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.job_category_update(
            category=self.object,
            code=data["code"],
            name=data["name"],
            is_frontline=data["is_frontline"],
            by=self.request.user,
        )


class JobCategoryViewSet(ScopedViewSet):
    model = JobCategory
    form_class = JobCategoryForm
    icon = "tag"
    menu_label = _("Job categories")
    name = "job_categories"
    add_view_class = JobCategoryCreateView
    edit_view_class = JobCategoryEditView
    list_display = [
        "name",
        "code",
        BooleanColumn("is_frontline", label=_("Front-line"), sort_key="is_frontline"),
    ]
    list_filter = ["is_frontline"]
    search_fields = ["name", "code"]
    search_backend_name = None
    inspect_view_fields = ["name", "code", "is_frontline"]


# Role assignments


class RoleAssignmentIndexView(ScopedIndexView):
    select_related = ("user", "org_unit")
    title_label = _("User")


class RoleAssignmentCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.role_assignment_create(
            user=data["user"],
            role=Role(data["role"]),
            org_unit=data["org_unit"],
            by=self.request.user,
        )


class RoleAssignmentDeleteView(ScopedDeleteView):
    def delete_action(self):
        services.role_assignment_delete(assignment=self.object, by=self.request.user)


class RoleAssignmentViewSet(ScopedViewSet):
    model = RoleAssignment
    form_class = RoleAssignmentForm
    icon = "key"
    menu_label = _("Role assignments")
    name = "role_assignments"
    index_view_class = RoleAssignmentIndexView
    add_view_class = RoleAssignmentCreateView
    delete_view_class = RoleAssignmentDeleteView
    list_display = ["user", "role", "org_unit", "created_at"]
    filterset_class = RoleAssignmentFilterSet
    search_fields = ["user__email", "org_unit__name", "org_unit__code"]
    search_backend_name = None
    inspect_view_fields = ["user", "role", "org_unit", "created_at"]


class OrganisationViewSetGroup(ModelViewSetGroup):
    menu_label = _("Organisation")
    menu_icon = "group"
    menu_order = 250
    items = (OrgUnitViewSet, PersonViewSet, JobCategoryViewSet, RoleAssignmentViewSet)
