"""The coordinators' queue of meeting requests in the Wagtail admin: the list (open ones first,
filter by status), one request, and its three answers: accept (a meeting is created and
published), propose another time, decline with a reason.

Everyone whose roles reach a request sees it (requests_visible_to: a department contact their own
area's, read-only); only those who may answer it (may_answer_request) get the answers, others
get 403, and a request outside the user's view is 404. The writes are attendance.services.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import AdminDateTimeInput

from attendance import access, services
from attendance.models import ActionCardVersion, MeetingRequest
from attendance.selectors import meetings as selectors
from attendance.views.requests import errors_to_form
from attendance.viewsets.meetings import FacilitatorChoiceField, facilitator_choices
from lms.competence import access as competence_access
from lms.competence.models import Competence
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User

Status = MeetingRequest.Status
PER_PAGE = 50

# --- Reads --------------------------------------------------------------------------------------


def queue_for(user, *, status: str = "") -> QuerySet[MeetingRequest]:
    """The requests `user` sees in the queue, open ones first, each group newest first.
    A fixed number of queries however many there are."""
    requests = access.requests_visible_to(user, MeetingRequest.objects.all())
    if status == "open":
        requests = requests.filter(status__in=MeetingRequest.OPEN)
    elif status in Status.values:
        requests = requests.filter(status=status)
    is_open = Case(
        When(status__in=MeetingRequest.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return requests.select_related("org_unit", "meeting").order_by(is_open, "-created_at", "-pk")


def _visible_or_404(request, pk: int) -> MeetingRequest:
    requests = access.requests_visible_to(request.user, MeetingRequest.objects.all())
    return get_object_or_404(
        requests.select_related(
            "org_unit", "meeting", "requested_by__person", "handled_by__person"
        ).prefetch_related("job_categories"),
        pk=pk,
    )


def _answerable_or_403(request, pk: int) -> MeetingRequest:
    meeting_request = _visible_or_404(request, pk)
    if not access.may_answer_request(request.user, meeting_request):
        raise PermissionDenied
    return meeting_request


# --- Forms --------------------------------------------------------------------------------------


class OrganiserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class JobCategoriesField(forms.ModelMultipleChoiceField):
    """Job categories with how many of the unit's active staff hold each: "Lærer (12)"."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        count = getattr(obj, "head_count", None)
        return obj.name if count is None else f"{obj.name} ({count})"


class AcceptForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=gettext_lazy("Starts at"), widget=AdminDateTimeInput)
    ends_at = forms.DateTimeField(label=gettext_lazy("Ends at"), widget=AdminDateTimeInput)
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=300, required=False)
    online_url = forms.URLField(
        label=gettext_lazy("Online meeting link"), required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=gettext_lazy("Capacity"))
    organiser = OrganiserChoiceField(
        label=gettext_lazy("Organising unit"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    facilitators = FacilitatorChoiceField(
        label=gettext_lazy("Facilitators"), queryset=User.objects.none(), required=False
    )
    competence = forms.ModelChoiceField(
        label=gettext_lazy("Competence earned"), queryset=Competence.objects.all(), required=False
    )
    action_card_version = forms.ModelChoiceField(
        label=gettext_lazy("Action Card handed out"),
        queryset=ActionCardVersion.objects.none(),
        required=False,
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    job_categories = JobCategoriesField(
        label=gettext_lazy("Job categories"),
        queryset=JobCategory.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Who at the unit the meeting is for, with how many active staff hold each job "
            "category. None chosen: everyone."
        ),
    )
    empty_audience_confirmed = forms.BooleanField(
        label=gettext_lazy("Accept even though nobody is in the audience"),
        required=False,
        help_text=gettext_lazy(
            "For example when the unit's staff are not on the roster yet: the requester can add "
            "them as new colleagues when they book seats."
        ),
    )

    def __init__(self, *args, user, meeting_request: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_categories"].queryset = selectors.unit_job_categories(
            org_unit=meeting_request.org_unit, include=meeting_request.job_categories.all()
        )
        above = OrgUnit.ancestor_paths(meeting_request.org_unit.path)
        self.fields["organiser"].queryset = (
            policy.org_units(user, access.Action.MEETING_MANAGE)
            .filter(path__in=above)
            .order_by("path")
        )
        self.fields["facilitators"].queryset = facilitator_choices(user).select_related("person")
        self.fields["competence"].queryset = competence_access.competences_visible_to(
            user, Competence.objects.filter(active=True)
        )
        self.fields["action_card_version"].queryset = ActionCardVersion.objects.filter(
            status=ActionCardVersion.Status.APPROVED, card__org_unit__path__in=above
        ).select_related("card")

    @staticmethod
    def initial_for(user, meeting_request: MeetingRequest) -> dict:
        """Prefilled from the request: a working day of its preferred period at its preferred
        days and times, its place, size and job categories, the coordinator as facilitator, and
        what the organiser's meetings of this kind award."""
        organiser = access.request_organiser(user, meeting_request.org_unit)
        starts_at, ends_at = services.request_suggested_time(request=meeting_request)
        return {
            "title": services.request_default_title(meeting_request),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "job_categories": [c.pk for c in meeting_request.job_categories.all()],
            "venue": meeting_request.place,
            "capacity": meeting_request.expected_participants,
            "organiser": organiser.pk,
            "facilitators": [user.pk],
            "competence": services.request_default_competence(
                kind=meeting_request.kind, organiser=organiser
            ),
        }


class ProposeForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("Proposed start"), widget=AdminDateTimeInput)
    ends_at = forms.DateTimeField(label=gettext_lazy("Proposed end"), widget=AdminDateTimeInput)
    message = forms.CharField(
        label=gettext_lazy("Message to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("The requester reads it in the email and on their request's page."),
    )


# --- Views --------------------------------------------------------------------------------------


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


def index(request):
    if not (
        policy.can(request.user, access.Action.MEETING_MANAGE)
        or policy.can(request.user, access.Action.MEETING_REQUEST)
    ):
        raise PermissionDenied
    status = request.GET.get("status", "")
    page = Paginator(queue_for(request.user, status=status), PER_PAGE).get_page(
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


def item(request, pk: int):
    meeting_request = _visible_or_404(request, pk)
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
        and selectors.unit_audience_size(
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
def accept(request, pk: int):
    meeting_request = _answerable_or_403(request, pk)
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
    audience_size = selectors.unit_audience_size(
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
def propose(request, pk: int):
    meeting_request = _answerable_or_403(request, pk)
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
def decline(request, pk: int):
    meeting_request = _answerable_or_403(request, pk)
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
