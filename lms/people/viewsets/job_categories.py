"""Wagtail admin for job categories.

Reuses the scoped views of lms.people.viewsets.scoped: every queryset is narrowed to what the
access policy allows (lms.people.policy, through lms.people.permissions) and every change goes
through lms.people.services (never form.save()), so the audit log sees each change.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic

from lms.people import services
from lms.people.models import JobCategory
from lms.people.viewsets.scoped import ScopedEditView, ScopedViewSet, ServiceFormMixin


class JobCategoryForm(WagtailAdminModelForm):
    class Meta:
        model = JobCategory
        fields = ["code", "name", "is_frontline"]


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
