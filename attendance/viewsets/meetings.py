"""Wagtail admin for meetings: list with filters, create and edit, status changes, and the
registrations of a meeting (read-only).

Access comes from lms.people.policy through the permission policy of attendance.apps; every change
goes through attendance.services (never form.save()), so it is checked, locked where seats are
involved, and audit-logged.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button, HeaderButton, ListingButton

from attendance import access, services
from attendance.forms.meetings import MeetingForm, MeetingStatusForm
from attendance.models import Meeting
from attendance.selectors import meetings as selectors
from lms import bounds
from lms.people import policy
from lms.people.viewsets.scoped import (
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedViewSet,
    ServiceFormMixin,
)

A = policy.Action
S = Meeting.Status

# Which status change is offered from which status, and the service that makes it.
TRANSITIONS = {
    "publish": (gettext_lazy("Publish"), (S.DRAFT,)),
    "held": (gettext_lazy("Mark as held"), (S.PUBLISHED,)),
    "close": (gettext_lazy("Close"), (S.HELD,)),
    "cancel": (gettext_lazy("Cancel the meeting"), (S.DRAFT, S.PUBLISHED)),
}


def _run_transition(name: str, meeting: Meeting, *, by, reason: str = "") -> Meeting:
    if name == "publish":
        return services.meeting_publish(meeting=meeting, by=by)
    if name == "held":
        return services.meeting_mark_held(meeting=meeting, by=by)
    if name == "close":
        return services.meeting_close(meeting=meeting, by=by)
    if name == "cancel":
        return services.meeting_cancel(meeting=meeting, reason=reason, by=by)
    raise ValueError(name)


class MeetingFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=S.choices)
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Meeting.Kind.choices)
    starts_at = bounds.DateFromToRangeFilter(
        label=gettext_lazy("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Meeting
        fields = ["status", "kind", "starts_at"]


# The everyday actions are where a coordinator looks: publishing, the attendance sheet and the
# check-in QR code are on each meeting's list row and in the header of its edit and inspect pages,
# for those the policy allows: publishing for those who manage the meeting (a draft), the sheet and
# the QR code for those who take its attendance (access.may_take_attendance: its managers and
# facilitators).

SHEET_STATUSES = (S.PUBLISHED, S.HELD, S.CLOSED)
QR_STATUSES = (S.PUBLISHED, S.HELD)


def meeting_actions(
    meeting: Meeting, *, manages: bool, takes_attendance: bool, next_url: str = ""
) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the everyday actions on `meeting` offered to a user who manages it
    and/or takes its attendance, in the order they are shown."""
    actions = []
    if manages and meeting.status == S.DRAFT:
        url = reverse("meetings:publish", args=(meeting.pk,))
        if next_url:
            url += "?" + urlencode({"next": next_url})
        actions.append((_("Publish"), url, "upload"))
    if takes_attendance and meeting.status in SHEET_STATUSES:
        actions.append(
            (
                _("Attendance sheet"),
                reverse("attendance_admin:sheet", args=(meeting.pk,)),
                "list-ul",
            )
        )
    if takes_attendance and meeting.status in QR_STATUSES:
        actions.append(
            (_("Check-in QR code"), reverse("attendance_admin:qr", args=(meeting.pk,)), "view")
        )
    return actions


class MeetingActionsMixin:
    """The everyday actions in the header of a page about one meeting (self.object)."""

    @cached_property
    def header_buttons(self):
        user, meeting = self.request.user, self.object
        actions = meeting_actions(
            meeting,
            manages=access.can_manage_meeting(user, meeting),
            takes_attendance=access.may_take_attendance(user, meeting),
        )
        return [
            *super().header_buttons,
            *(
                HeaderButton(label, url=url, icon_name=icon, priority=10 + i)
                for i, (label, url, icon) in enumerate(actions)
            ),
        ]


class MeetingIndexView(ScopedIndexView):
    select_related = ("org_unit",)
    default_ordering = "-starts_at"

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.is_export:
            return queryset
        # Whether the user facilitates each meeting, in the list's own query (not one per row).
        facilitates = Meeting.facilitators.through.objects.filter(
            meeting=OuterRef("pk"), user_id=self.request.user.pk
        )
        return queryset.annotate(user_facilitates=Exists(facilitates))

    def get_list_more_buttons(self, instance):
        user = self.request.user
        manages = access.can_manage_meeting(user, instance)
        # access.may_take_attendance, with the facilitator check from the annotation.
        takes_attendance = user.is_active and (
            manages or getattr(instance, "user_facilitates", False)
        )
        actions = meeting_actions(
            instance,
            manages=manages,
            takes_attendance=takes_attendance,
            next_url=self.request.get_full_path(),
        )
        return [
            *(
                ListingButton(
                    label,
                    url=url,
                    icon_name=icon,
                    priority=i,
                    attrs={"aria-label": f"{label}: {instance}"},
                )
                for i, (label, url, icon) in enumerate(actions)
            ),
            *super().get_list_more_buttons(instance),
        ]


class MeetingCreateView(ServiceFormMixin, generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.meeting_create(
            by=self.request.user,
            **{k: data.get(k) for k in services.MEETING_FIELDS if k in data},
            **{k: data.get(k) or () for k in services.MEETING_M2M_FIELDS},
        )


class MeetingEditView(MeetingActionsMixin, ScopedEditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if _offered(self.object):
            buttons.append(
                Button(
                    _("Change status"),
                    url=reverse("meetings:status", args=(self.object.pk,)),
                    icon_name="resubmit",
                    priority=30,
                )
            )
        return buttons

    def save_instance(self):
        data = self.form.cleaned_data
        return services.meeting_update(
            meeting=self.object,
            by=self.request.user,
            **{k: data.get(k) for k in services.MEETING_FIELDS if k in data},
            **{k: data.get(k) or () for k in services.MEETING_M2M_FIELDS},
        )


class MeetingInspectView(MeetingActionsMixin, ScopedInspectView):
    template_name = "attendance/admin/meeting_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            self.scoped_queryset().select_related("org_unit", "institution"), pk=self.pk
        )

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if access.can_manage_meeting(self.request.user, self.object) and _offered(self.object):
            buttons.append(
                Button(
                    _("Change status"),
                    url=reverse("meetings:status", args=(self.object.pk,)),
                    icon_name="resubmit",
                    priority=30,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Registrations are personal data: only for those who manage the meeting.
        manages = access.can_manage_meeting(self.request.user, self.object)
        context["show_registrations"] = manages
        if manages:
            context["registrations"] = selectors.registrations_of_meeting(meeting=self.object)
            context["counts"] = selectors.registration_counts(meeting=self.object)
        return context


def _offered(meeting: Meeting) -> list[tuple[str, str]]:
    return [
        (name, label) for name, (label, sources) in TRANSITIONS.items() if meeting.status in sources
    ]


class _ManagedMeetingMixin:
    """An admin page about one meeting the user manages (404 otherwise), titled by the meeting,
    with breadcrumbs through the meeting list to the meeting's `meeting_view` page."""

    meeting_view = "meetings:inspect"
    _show_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        meetings = access.meetings_managed_by(request.user, Meeting.objects.all())
        self.meeting = get_object_or_404(meetings.select_related("org_unit"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.meeting)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("meetings:index"), "label": _("Meetings")},
            {"url": reverse(self.meeting_view, args=(self.meeting.pk,)), "label": self.meeting},
            {"url": "", "label": self.page_title},
        ]


class MeetingStatusView(_ManagedMeetingMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "attendance/admin/meeting_status.html"
    form_class = MeetingStatusForm
    page_title = gettext_lazy("Change status")
    header_icon = "resubmit"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "choices": _offered(self.meeting)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "meeting": self.meeting}

    def form_valid(self, form):
        try:
            _run_transition(
                form.cleaned_data["transition"],
                self.meeting,
                by=self.request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, _("The meeting's status has been changed."))
        return redirect("meetings:inspect", self.meeting.pk)


class MeetingPublishView(_ManagedMeetingMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET asks, POST publishes; then back where the coordinator came from (the list)."""

    template_name = "attendance/admin/meeting_publish.html"
    page_title = gettext_lazy("Publish the meeting")
    header_icon = "upload"
    meeting_view = "meetings:edit"

    def next_url(self) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return wanted
        return reverse("meetings:index")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "meeting": self.meeting,
            "next": self.next_url(),
            "errors": kwargs.get("errors", []),
        }

    def post(self, request, *args, **kwargs):
        try:
            services.meeting_publish(meeting=self.meeting, by=request.user)
        except ValidationError as error:
            context = self.get_context_data(errors=error.messages)
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _("“%(title)s” is published: its audience can now sign up.")
            % {"title": self.meeting.title},
        )
        return redirect(self.next_url())


class MeetingViewSet(ScopedViewSet):
    model = Meeting
    form_class = MeetingForm
    icon = "date"
    menu_label = gettext_lazy("Meetings")
    menu_order = 240
    add_to_admin_menu = True
    index_view_class = MeetingIndexView
    add_view_class = MeetingCreateView
    edit_view_class = MeetingEditView
    inspect_view_class = MeetingInspectView
    list_display = [
        "title",
        "kind",
        "starts_at",
        "org_unit",
        "status",
        Column("confirmed_count", label=gettext_lazy("Confirmed")),
        "capacity",
    ]
    filterset_class = MeetingFilterSet
    list_export = [
        "title",
        "get_kind_display",
        "get_status_display",
        "starts_at",
        "ends_at",
        "org_unit.name",
        "venue",
        "online_url",
        "capacity",
        "confirmed_count",
    ]
    export_headings = {
        "title": gettext_lazy("Title"),
        "get_kind_display": gettext_lazy("Kind"),
        "get_status_display": gettext_lazy("Status"),
        "starts_at": gettext_lazy("Starts at"),
        "ends_at": gettext_lazy("Ends at"),
        "org_unit.name": gettext_lazy("Organising unit"),
        "venue": gettext_lazy("Venue"),
        "online_url": gettext_lazy("Online meeting link"),
        "capacity": gettext_lazy("Capacity"),
        "confirmed_count": gettext_lazy("Confirmed"),
    }
    export_filename = "moeder"
    search_fields = ["title", "venue"]
    search_backend_name = None
    inspect_view_fields = [
        "kind",
        "title",
        "description",
        "status",
        "cancel_reason",
        "org_unit",
        "audience_units",
        "job_categories",
        "institution",
        "venue",
        "online_url",
        "starts_at",
        "ends_at",
        "capacity",
        "confirmed_count",
        "cancellation_cutoff_hours",
        "competence",
        "action_card_version",
        "facilitators",
    ]

    @property
    def status_view(self):
        return MeetingStatusView.as_view()

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("status/<int:pk>/", self.status_view, name="status"),
            path("publish/<int:pk>/", MeetingPublishView.as_view(), name="publish"),
        ]
