"""The coordinators' queue of meeting requests in the Wagtail admin: the list (open ones first,
filter by status), one request, and its three answers: accept (a meeting is created and
published), propose another time, decline with a reason.

Everyone whose roles reach a request sees it (requests_visible_to: a department contact their own
area's, read-only); only those who may answer it (may_answer_request) get the answers, others
get 403, and a request outside the user's view is 404. The writes are attendance.services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem

from attendance import access, services
from attendance.forms.requests import AcceptForm, DeclineForm, ProposeForm
from attendance.models import MeetingRequest
from attendance.selectors import requests as request_selectors
from lms.forms import errors_to_form
from lms.people import policy
from lms.people.views.guards import guarded, policy_required

Status = MeetingRequest.Status
PER_PAGE = 50


def _visible_or_404(request, pk: int) -> MeetingRequest:
    requests = access.requests_visible_to(request.user, MeetingRequest.objects.all())
    return get_object_or_404(
        requests.select_related(
            "org_unit", "meeting", "requested_by__person", "handled_by__person"
        ).prefetch_related("job_categories"),
        pk=pk,
    )


def _context(title: str, meeting_request: MeetingRequest | None = None, **extra) -> dict:
    crumbs = [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("meeting_requests:index"), "label": _("Meeting requests")},
    ]
    if meeting_request is not None:
        crumbs.append(
            {"url": reverse("meeting_requests:item", args=(meeting_request.pk,)), "label": title}
        )
    crumbs[-1]["url"] = ""
    return {
        "page_title": title,
        "header_title": title,
        "header_icon": "mail",
        "breadcrumbs_items": crumbs,
        "meeting_request": meeting_request,
        **extra,
    }


def _may_see_requests(user) -> bool:
    return policy.can(user, access.Action.MEETING_MANAGE) or policy.can(
        user, access.Action.MEETING_REQUEST
    )


@policy_required(_may_see_requests)
def index(request):
    status = request.GET.get("status", "")
    page = Paginator(request_selectors.queue_for(request.user, status=status), PER_PAGE).get_page(
        request.GET.get("p")
    )
    # The answers are on each row for those who may give them (no query per row: the policy
    # answers from the user's cached roles and the row's unit).
    page.object_list = list(page.object_list)
    for meeting_request in page.object_list:
        may_answer = access.may_answer_request(request.user, meeting_request)
        meeting_request.may_accept = may_answer and meeting_request.status == Status.SUBMITTED
        meeting_request.may_decline = may_answer and meeting_request.is_open
    context = _context(
        _("Meeting requests"),
        page=page,
        status=status,
        statuses=[("open", _("Open"))] + list(Status.choices),
        now=timezone.now(),
    )
    return TemplateResponse(request, "attendance/admin/request_index.html", context)


def _title(meeting_request: MeetingRequest) -> str:
    return f"{meeting_request.get_kind_display()}: {meeting_request.org_unit.name}"


@guarded(_visible_or_404)
def item(request, meeting_request: MeetingRequest):
    may_answer = access.may_answer_request(request.user, meeting_request)
    may_accept = may_answer and meeting_request.status == Status.SUBMITTED
    categories = list(meeting_request.job_categories.all())
    context = _context(
        _title(meeting_request),
        meeting_request,
        may_accept=may_accept,
        may_decline=may_answer and meeting_request.is_open,
        # The requester's name is personal data: for those who may answer only.
        show_requester=may_answer,
        # Who the meeting would reach: a warning before accepting when it is nobody.
        audience_size=may_accept
        and request_selectors.unit_audience_size(
            org_unit=meeting_request.org_unit, job_categories=categories
        ),
        audience_everyone=not categories,
    )
    return TemplateResponse(request, "attendance/admin/request_item.html", context)


def _action(request, meeting_request, form, title: str, template: str, status: int = 200):
    context = _context(title, meeting_request, form=form, action_title=title)
    context["breadcrumbs_items"][-1]["url"] = reverse(
        "meeting_requests:item", args=(meeting_request.pk,)
    )
    context["breadcrumbs_items"][-1]["label"] = _title(meeting_request)
    context["breadcrumbs_items"].append({"url": "", "label": title})
    return TemplateResponse(request, template, context, status=status)


def _audience_categories(form: AcceptForm, meeting_request: MeetingRequest) -> list:
    """The job categories the meeting would be for: those submitted, else the request's."""
    if form.is_bound:
        return list(form.cleaned_data.get("job_categories") or [])
    return list(meeting_request.job_categories.all())


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, access.may_answer_request)
def accept(request, meeting_request: MeetingRequest):
    if request.method == "POST":
        form = AcceptForm(request.POST, user=request.user, meeting_request=meeting_request)
        if form.is_valid():
            try:
                services.request_accept(
                    request=meeting_request, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("The request has been accepted and the meeting published."),
                )
                return redirect("meeting_requests:item", meeting_request.pk)
        status = 400
    else:
        form = AcceptForm(
            initial=AcceptForm.initial_for(request.user, meeting_request),
            user=request.user,
            meeting_request=meeting_request,
        )
        status = 200
    categories = _audience_categories(form, meeting_request)
    audience_size = request_selectors.unit_audience_size(
        org_unit=meeting_request.org_unit, job_categories=categories
    )
    if audience_size:
        # Only asked when the meeting would reach nobody.
        del form.fields["empty_audience_confirmed"]
    response = _action(
        request,
        meeting_request,
        form,
        _("Accept the request"),
        "attendance/admin/request_accept.html",
        status,
    )
    response.context_data.update(
        {"audience_size": audience_size, "audience_everyone": not categories}
    )
    return response


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, access.may_answer_request)
def propose(request, meeting_request: MeetingRequest):
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_propose(request=meeting_request, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The proposed time has been sent to the requester."))
            return redirect("meeting_requests:item", meeting_request.pk)
    return _action(
        request,
        meeting_request,
        form,
        _("Propose another time"),
        "attendance/admin/request_answer.html",
        400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@guarded(_visible_or_404, access.may_answer_request)
def decline(request, meeting_request: MeetingRequest):
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_decline(
                request=meeting_request, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, _("The request has been declined."))
            return redirect("meeting_requests:item", meeting_request.pk)
    return _action(
        request,
        meeting_request,
        form,
        _("Decline the request"),
        "attendance/admin/request_answer.html",
        400 if form.is_bound else 200,
    )


admin_urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", item, name="item"),
    path("<int:pk>/accept/", accept, name="accept"),
    path("<int:pk>/propose/", propose, name="propose"),
    path("<int:pk>/decline/", decline, name="decline"),
]


class RequestsMenuItem(MenuItem):
    def is_shown(self, request):
        user = request.user
        return policy.can(user, access.Action.MEETING_MANAGE) or policy.can(
            user, access.Action.MEETING_REQUEST
        )


def menu_item() -> MenuItem:
    return RequestsMenuItem(
        gettext_lazy("Meeting requests"),
        reverse("meeting_requests:index"),
        name="meeting-requests",
        icon_name="mail",
        order=241,
    )
