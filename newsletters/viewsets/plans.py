"""The admin page where a coordinator sets their Infohus's newsletter plan: the months the two
editions are due by and how many weeks before the reminder comes. The change goes through
newsletters.services.plans, never form.save()."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from lms.forms import errors_to_form
from lms.people.models import OrgUnit
from lms.people.views.guards import PolicyRequiredMixin
from newsletters import access
from newsletters.forms.plans import EditionPlanForm
from newsletters.models import EditionPlan
from newsletters.selectors.plans import infohus_units
from newsletters.services.plans import edition_plan_save


class EditionPlanEditView(PolicyRequiredMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "wagtailadmin/generic/form.html"
    page_title = gettext_lazy("Newsletter plan")
    header_icon = "date"
    _show_breadcrumbs = True
    policy_action = access.WRITE

    @cached_property
    def unit(self) -> OrgUnit:
        unit = next((u for u in infohus_units() if u.pk == self.kwargs["unit_id"]), None)
        if unit is None:
            raise Http404
        return unit

    def get_policy_object(self):
        return self.unit

    def get_page_subtitle(self):
        return str(self.unit)

    def get_form_class(self):
        return EditionPlanForm

    def get_form_kwargs(self):
        plan = EditionPlan.objects.filter(org_unit=self.unit).first()
        return {**super().get_form_kwargs(), "instance": plan or EditionPlan(org_unit=self.unit)}

    def get_breadcrumbs_items(self):
        return [
            {"url": reverse("wagtailadmin_home"), "label": _("Home")},
            {"url": "", "label": f"{self.page_title}: {self.unit}"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_url"] = self.request.path
        context["submit_button_label"] = _("Save")
        context["submit_button_active_label"] = _("Saving…")
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            edition_plan_save(
                org_unit=self.unit,
                first_due_month=data["first_due_month"],
                second_due_month=data["second_due_month"],
                reminder_weeks=data["reminder_weeks"],
                by=self.request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The newsletter plan has been saved."))
        return redirect("wagtailadmin_home")


admin_urlpatterns = [
    path("<int:unit_id>/", EditionPlanEditView.as_view(), name="edit"),
]
