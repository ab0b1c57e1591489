"""Wagtail admin for the roster (people).

Reuses the scoped views of lms.people.viewsets.scoped: every queryset is narrowed to what the
access policy allows (lms.people.policy, through lms.people.permissions) and every change goes
through lms.people.services (never form.save()), so the audit log sees each change.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic

from lms.forms import OrgUnitChoiceField
from lms.people import policy, services
from lms.people.filters import PersonFilterSet
from lms.people.models import OrgUnit, Person
from lms.people.viewsets.scoped import (
    ScopedEditView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceFormMixin,
)


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
