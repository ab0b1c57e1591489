"""The admin pages where an Infohus's coordinators set its deadlines and keep its list of
forwarding services (under /admin/concerns/settings/). Only units in the coordinator's scope
(access.configurable_units); anyone else gets 403, a unit or service of another municipality
404. Every change goes through lms.concerns.services.settings."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from lms.concerns import access
from lms.concerns.forms.settings import DeadlinesForm, ForwardingServiceForm
from lms.concerns.models import ForwardingService
from lms.concerns.selectors.deadlines import periods_for
from lms.concerns.services import settings as services
from lms.forms import errors_to_form


def _units(request) -> list:
    units = access.configurable_units(request.user)
    if not units:
        raise PermissionDenied
    return units


def _unit(request, unit_id: int):
    unit = next((u for u in _units(request) if u.pk == unit_id), None)
    if unit is None:
        raise Http404
    return unit


def _service(request, pk: int) -> ForwardingService:
    units = _units(request)
    service = (
        ForwardingService.objects.filter(pk=pk, infohus__in=units).select_related("infohus").first()
    )
    if service is None:
        raise Http404
    return service


def _context(title: str, *crumbs: tuple[str, str], **extra) -> dict:
    items = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("concerns_admin:index"), "label": _("Concerns")},
        {
            "url": reverse("concerns_admin:settings_index"),
            "label": _("Deadlines and forwarding services"),
        },
        *({"url": url, "label": label} for url, label in crumbs),
    ]
    items[-1]["url"] = ""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "cog",
        "breadcrumbs_items": items,
        **extra,
    }


@never_cache
def settings_index(request):
    units = _units(request)
    services_by_unit: dict[int, list] = {unit.pk: [] for unit in units}
    for service in ForwardingService.objects.filter(infohus__in=units):
        services_by_unit[service.infohus_id].append(service)
    rows = []
    for unit in units:
        acknowledge, feedback = periods_for(unit)
        rows.append(
            {
                "unit": unit,
                "acknowledge_days": acknowledge,
                "feedback_days": feedback,
                "services": services_by_unit[unit.pk],
            }
        )
    context = _context(_("Deadlines and forwarding services"), rows=rows)
    return TemplateResponse(request, "concerns/admin/settings_index.html", context)


def _form_page(request, form, title: str, *, status: int = 200, delete_url: str = ""):
    context = _context(title, ("", title), form=form, delete_url=delete_url)
    return TemplateResponse(request, "concerns/admin/settings_form.html", context, status=status)


@never_cache
def deadlines_edit(request, unit_id: int):
    unit = _unit(request, unit_id)
    acknowledge, feedback = periods_for(unit)
    form = DeadlinesForm(
        request.POST or None,
        initial={"acknowledge_days": acknowledge, "feedback_days": feedback},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.concern_settings_save(by=request.user, infohus=unit, **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The deadlines are saved."))
                return redirect("concerns_admin:settings_index")
        return _form_page(request, form, _("Deadlines: %(unit)s") % {"unit": unit}, status=400)
    return _form_page(request, form, _("Deadlines: %(unit)s") % {"unit": unit})


@never_cache
def service_add(request, unit_id: int):
    unit = _unit(request, unit_id)
    form = ForwardingServiceForm(request.POST or None)
    title = _("New forwarding service: %(unit)s") % {"unit": unit}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.forwarding_service_create(
                    by=request.user, infohus=unit, **form.cleaned_data
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The forwarding service is saved."))
                return redirect("concerns_admin:settings_index")
        return _form_page(request, form, title, status=400)
    return _form_page(request, form, title)


@never_cache
def service_edit(request, pk: int):
    service = _service(request, pk)
    initial = {
        "name": service.name,
        "handles": service.handles,
        "contact": service.contact,
        "active": service.active,
    }
    form = ForwardingServiceForm(request.POST or None, initial=initial)
    title = _("Forwarding service: %(name)s") % {"name": service.name}
    delete_url = reverse("concerns_admin:service_delete", args=(service.pk,))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.forwarding_service_update(
                    by=request.user, service=service, **form.cleaned_data
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("The forwarding service is saved."))
                return redirect("concerns_admin:settings_index")
        return _form_page(request, form, title, status=400, delete_url=delete_url)
    return _form_page(request, form, title, delete_url=delete_url)


@require_POST
def service_delete(request, pk: int):
    service = _service(request, pk)
    try:
        services.forwarding_service_delete(by=request.user, service=service)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("concerns_admin:service_edit", pk=service.pk)
    messages.success(request, _("The forwarding service is deleted."))
    return redirect("concerns_admin:settings_index")


urlpatterns = [
    path("", settings_index, name="settings_index"),
    path("<int:unit_id>/deadlines/", deadlines_edit, name="deadlines_edit"),
    path("<int:unit_id>/services/new/", service_add, name="service_add"),
    path("services/<int:pk>/", service_edit, name="service_edit"),
    path("services/<int:pk>/delete/", service_delete, name="service_delete"),
]
