"""The default newsletter audience of each Infohus in the Wagtail admin: who its sends reach when
nobody chooses (and what the send form prefills). For those who may write its sends
(access.WRITE over the Infohus unit); the write is newsletters.services.audiences."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from lms.forms import errors_to_form
from lms.people import policy
from lms.people.models import OrgUnit
from lms.people.views.guards import guarded, policy_required
from newsletters import access
from newsletters.forms.audiences import AudienceDefaultForm
from newsletters.selectors.audiences import default_audience
from newsletters.services.audiences import audience_default_set


def _infohus_units(user):
    """The Infohus units the user sets defaults for: the top units of their WRITE scope."""
    if policy.is_superuser(user):
        return OrgUnit.get_root_nodes()
    return OrgUnit.objects.filter(path__in=policy.scope_paths(user, access.WRITE)).order_by("path")


def _infohus_or_404(request, pk: int) -> OrgUnit:
    return get_object_or_404(_infohus_units(request.user), pk=pk)


def _context(title: str, *crumbs: tuple[str, str], **extra) -> dict:
    items = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("newsletter_audiences:index"), "label": _("Default newsletter audience")},
        *({"url": url, "label": label} for url, label in crumbs),
    ]
    items[-1]["url"] = ""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "group",
        "breadcrumbs_items": items,
        **extra,
    }


@policy_required(access.WRITE)
def index(request):
    rows = [(unit, default_audience(unit)) for unit in _infohus_units(request.user)]
    context = _context(_("Default newsletter audience"), rows=rows)
    return TemplateResponse(request, "newsletters/admin/audience_default_index.html", context)


@require_http_methods(["GET", "POST"])
@guarded(_infohus_or_404)
def edit(request, infohus: OrgUnit):
    current = default_audience(infohus)
    form = AudienceDefaultForm(
        request.POST or None, user=request.user, infohus=infohus, current=current
    )
    if request.method == "POST" and form.is_valid():
        try:
            audience_default_set(
                org_unit=infohus,
                units=list(form.cleaned_data["units"]),
                job_categories=list(form.cleaned_data["job_categories"]),
                include_externals=form.cleaned_data["include_externals"],
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The default audience is saved."))
            return redirect("newsletter_audiences:index")
    context = _context(infohus.name, ("", infohus.name), form=form, infohus=infohus)
    return TemplateResponse(request, "newsletters/admin/audience_default_form.html", context)


admin_urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", edit, name="edit"),
]


class AudienceMenuItem(MenuItem):
    def is_shown(self, request):
        return policy.can(request.user, access.WRITE)


def menu_item() -> MenuItem:
    return AudienceMenuItem(
        gettext_lazy("Default newsletter audience"),
        reverse("newsletter_audiences:index"),
        name="newsletter-audience",
        icon_name="group",
        order=300,
    )
