"""The Infohus's cases in the Wagtail admin ("Concerns"): the list and one case, read-only for
now, with the case's audit trail. Only those whom lms.concerns.access lets read cases see the
menu and the pages (a superuser without an Infohus role gets 403); a case outside the user's
municipality is 404. Opening a case is recorded (services.cases.concern_read_record).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from lms.concerns import access
from lms.concerns.forms.cases import STEP_FORMS
from lms.concerns.models import Concern, ConcernReminder
from lms.concerns.selectors import cases as case_selectors
from lms.concerns.selectors.deadlines import deadlines_owed
from lms.concerns.services.cases import concern_advance, concern_read_record, next_status
from lms.forms import errors_to_form
from lms.people.views.guards import guarded, policy_required

PER_PAGE = 50
OVERDUE_SHOWN = 10
Deadline = ConcernReminder.Deadline


def _context(title: str, concern: Concern | None = None, **extra) -> dict:
    crumbs = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("concerns_admin:index"), "label": _("Concerns")},
    ]
    if concern is not None:
        crumbs.append({"url": "", "label": title})
    crumbs[-1]["url"] = ""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "warning",
        "breadcrumbs_items": crumbs,
        "concern": concern,
        **extra,
    }


@never_cache
@policy_required(access.may_view_cases)
def index(request):
    status = request.GET.get("status", "open")
    sort = request.GET.get("sort", "-received")
    if sort not in case_selectors.SORTS:
        sort = "-received"
    cases = case_selectors.cases_for(request.user, status=status, sort=sort)
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("p"))
    context = _context(
        _("Concerns"),
        page=page,
        status=status,
        sort=sort,
        statuses=[
            ("open", _("Open cases")),
            ("overdue", _("Overdue cases")),
            *Concern.Status.choices,
        ],
        sorts=[
            ("-received", _("Newest first")),
            ("received", _("Oldest first")),
            ("due", _("Next deadline first")),
        ],
        may_configure=bool(access.configurable_units(request.user)),
    )
    return TemplateResponse(request, "concerns/admin/case_index.html", context)


def _case_or_404(request, pk: int) -> Concern:
    concern = case_selectors.case_for(request.user, pk)
    if concern is None:
        raise Http404
    return concern


@never_cache
@policy_required(access.may_view_cases)
@guarded(_case_or_404)
def item(request, concern: Concern):
    concern_read_record(by=request.user, concern=concern)
    step = next_status(concern)
    owed = dict(deadlines_owed(concern, today=timezone.localdate() - dt.timedelta(days=1)))
    context = _context(
        _("Concern %(reference)s") % {"reference": concern.reference},
        concern,
        overdue_acknowledge=Deadline.ACKNOWLEDGE in owed,
        overdue_feedback=Deadline.FEEDBACK in owed,
        trail=case_selectors.audit_trail(concern),
        next_step=Concern.Status(step).label if step else None,
        may_advance=step is not None and access.may_handle_case(request.user, concern),
    )
    return TemplateResponse(request, "concerns/admin/case_item.html", context)


@never_cache
@policy_required(access.may_view_cases)
@guarded(_case_or_404)
def advance(request, concern: Concern):
    """Record the case's next step: the step's form, then services.cases.concern_advance."""
    step = next_status(concern)
    if step is None or not access.may_handle_case(request.user, concern):
        raise PermissionDenied
    form_class = STEP_FORMS[step]
    form = form_class(request.POST or None, concern=concern)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                concern_advance(by=request.user, concern=concern, to=step, **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request, _("Recorded: %(step)s.") % {"step": Concern.Status(step).label}
                )
                return redirect("concerns_admin:item", pk=concern.pk)
        status = 400
    label = Concern.Status(step).label
    context = _context(
        _("Concern %(reference)s") % {"reference": concern.reference},
        concern,
        form=form,
        step=label,
        police_only=step == Concern.Status.OUTCOME
        and not access.may_record_police_decision(request.user, concern),
    )
    context["breadcrumbs_items"][-1]["url"] = reverse("concerns_admin:item", args=(concern.pk,))
    context["breadcrumbs_items"].append({"url": "", "label": label})
    return TemplateResponse(request, "concerns/admin/case_advance.html", context, status=status)


admin_urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", item, name="item"),
    path("<int:pk>/next/", advance, name="advance"),
    path("settings/", include("lms.concerns.viewsets.settings")),
]


class CasesMenuItem(MenuItem):
    def is_shown(self, request):
        return access.may_view_cases(request.user)


def menu_item() -> MenuItem:
    return CasesMenuItem(
        gettext_lazy("Concerns"),
        reverse("concerns_admin:index"),
        name="concerns",
        icon_name="warning",
        order=150,
    )
