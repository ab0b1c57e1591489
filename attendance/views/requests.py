"""The requester's pages: "My requests", a new request, and one request's status page with the
answer, a proposed time to accept or decline, and withdrawing.

Who may see or do what is decided by lms.people.policy (request_units, requests_visible_to,
may_follow_up_request); the writes are attendance.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import access, services
from attendance.forms.requests import ProposalDeclineForm, RequestForm
from attendance.models import MeetingRequest
from attendance.selectors import requests as request_selectors
from lms.forms import errors_to_form
from lms.people import policy
from lms.people.views.guards import guarded, policy_required

Status = MeetingRequest.Status


def _request_or_404(request, pk: int) -> MeetingRequest:
    return get_object_or_404(
        request_selectors.requests_for(request.user)
        .select_related("requested_by__person")
        .prefetch_related("job_categories"),
        pk=pk,
    )


def _may_request(user) -> bool:
    return policy.can(user, access.Action.MEETING_REQUEST)


@login_required
@policy_required(_may_request)
def request_list(request):
    return TemplateResponse(
        request,
        "attendance/request_list.html",
        {"meeting_requests": list(request_selectors.requests_for(request.user))},
    )


@require_http_methods(["GET", "POST"])
@login_required
@policy_required(_may_request)
def request_create(request):
    if "refresh" in request.POST:
        # "Show the unit's job categories": the same form again, for the unit now chosen, with
        # what was typed and ticked kept, and nothing sent yet.
        entered = {name: request.POST.get(name) for name in RequestForm.base_fields}
        entered["job_categories"] = request.POST.getlist("job_categories")
        form = RequestForm(initial=entered, user=request.user)
        return TemplateResponse(request, "attendance/request_form.html", {"form": form})
    form = RequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_create(
                org_unit=data["org_unit"],
                kind=data["kind"],
                expected_participants=data["expected_participants"],
                preferred_from=data["preferred_from"],
                preferred_until=data["preferred_until"],
                preferred_times=data["preferred_times"],
                place=data["place"],
                message=data["message"],
                job_categories=data["job_categories"],
                by=request.user,
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Your request has been sent. The Infohus answers you by email."),
            )
            return redirect("attendance:request_detail", pk=created.pk)
    status = 400 if form.is_bound else 200
    return TemplateResponse(request, "attendance/request_form.html", {"form": form}, status=status)


def _detail(request, meeting_request: MeetingRequest, *, decline_form=None, status=200):
    context = {
        "meeting_request": meeting_request,
        "may_follow_up": meeting_request.is_open
        and access.may_follow_up_request(request.user, meeting_request),
        "decline_form": decline_form or ProposalDeclineForm(),
    }
    return TemplateResponse(request, "attendance/request_detail.html", context, status=status)


@login_required
@guarded(_request_or_404)
def request_detail(request, meeting_request: MeetingRequest):
    return _detail(request, meeting_request)


@require_POST
@login_required
@guarded(_request_or_404, access.may_follow_up_request)
def request_proposal_accept(request, meeting_request: MeetingRequest):
    try:
        services.request_proposal_accept(request=meeting_request, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You have accepted the proposed time. The meeting is planned."))
    return redirect("attendance:request_detail", pk=meeting_request.pk)


@require_POST
@login_required
@guarded(_request_or_404, access.may_follow_up_request)
def request_proposal_decline(request, meeting_request: MeetingRequest):
    form = ProposalDeclineForm(request.POST)
    if form.is_valid():
        try:
            services.request_proposal_decline(
                request=meeting_request, message=form.cleaned_data["message"], by=request.user
            )
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("You have declined the proposed time. The Infohus will answer you again."),
            )
            return redirect("attendance:request_detail", pk=meeting_request.pk)
    return _detail(request, meeting_request, decline_form=form, status=400)


@require_POST
@login_required
@guarded(_request_or_404, access.may_follow_up_request)
def request_withdraw(request, meeting_request: MeetingRequest):
    try:
        services.request_withdraw(request=meeting_request, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("attendance:request_detail", pk=meeting_request.pk)
