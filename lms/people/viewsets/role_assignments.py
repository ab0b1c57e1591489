"""Wagtail admin for role assignments.

Reuses the scoped views of lms.people.viewsets.scoped: every queryset is narrowed to what the
access policy allows (lms.people.policy, through lms.people.permissions) and every change goes
through lms.people.services (never form.save()), so the audit log sees each change.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.views import generic

from lms.forms import OrgUnitChoiceField
from lms.people import policy, services
from lms.people.filters import RoleAssignmentFilterSet
from lms.people.models import OrgUnit, Role, RoleAssignment, User
from lms.people.viewsets.scoped import (
    ScopedDeleteView,
    ScopedIndexView,
    ScopedViewSet,
    ServiceFormMixin,
)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.email


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
