"""Forms of meeting requests: the requester's pages (attendance.views.requests) and the
coordinators' answers in the admin (attendance.viewsets.requests). They only collect input: the
rules (dates not in the past, at least one participant, the unit inside the user's area) live in
attendance.services.requests, whose errors `errors_to_form` puts on these forms' fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from attendance import access, services
from attendance.forms.meetings import FacilitatorChoiceField, facilitator_choices
from attendance.models import ActionCardVersion, Meeting, MeetingRequest
from attendance.selectors import requests as request_selectors
from lms.competence import access as competence_access
from lms.competence.models import Competence
from lms.forms import OrgUnitChoiceField
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class HeadCountJobCategoriesField(forms.ModelMultipleChoiceField):
    """Job categories as checkboxes, each with how many of the unit's active staff hold it
    (the queryset's `head_count`): "Lærer (12)"."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        count = getattr(obj, "head_count", None)
        return obj.name if count is None else f"{obj.name} ({count})"


class OfferedJobCategoriesField(HeadCountJobCategoriesField):
    """Offers the job categories of the chosen unit with their head counts, but accepts any:
    whether the unit has staff of a category is the service's rule, with its message (the unit
    may have changed in the same post)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted = JobCategory.objects.all()

    def clean(self, value):
        offered = self.queryset
        self.queryset = self.accepted
        try:
            return super().clean(value)
        finally:
            self.queryset = offered


class RequestForm(forms.Form):
    org_unit = OrgUnitChoiceField(
        label=_("Who is the meeting for?"),
        queryset=OrgUnit.objects.none(),
        empty_label=None,
    )
    kind = forms.ChoiceField(
        label=_("Kind of meeting"), choices=Meeting.Kind.choices, widget=forms.RadioSelect
    )
    expected_participants = forms.IntegerField(
        label=_("Expected participants"),
        # No min_value: the service's message is the one people read.
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
    )
    preferred_from = forms.DateField(label=_("Preferred period from"), widget=DateInput())
    preferred_until = forms.DateField(label=_("Preferred period until"), widget=DateInput())
    preferred_times = forms.CharField(
        label=_("Preferred days and times"),
        required=False,
        max_length=300,
        help_text=_("For example: Tuesday or Thursday afternoons, not in week 42."),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=300,
        help_text=_("Where the meeting could be held, for example your staff room."),
    )
    job_categories = OfferedJobCategoriesField(
        label=_("Job categories"),
        queryset=JobCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The job categories of the unit's staff, with how many hold each. Leave empty for "
            "everyone."
        ),
    )
    message = forms.CharField(
        label=_("Message to the Infohus"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = list(access.request_units(user).order_by("path"))
        self.fields["org_unit"].queryset = access.request_units(user).order_by("path")
        self.several_units = len(units) > 1
        if len(units) == 1:
            self.fields["org_unit"].initial = units[0].pk
        self.unit = self._chosen_unit(units)
        if self.unit is not None:
            self.fields["job_categories"].queryset = request_selectors.unit_job_categories(
                org_unit=self.unit
            )

    def _chosen_unit(self, units: list[OrgUnit]) -> OrgUnit | None:
        """The unit whose job categories are offered: the one posted, else the initial one,
        else the first in the list (the one the browser shows selected)."""
        by_pk = {str(unit.pk): unit for unit in units}
        key = self.add_prefix("org_unit")
        wanted = self.data.get(key) if self.is_bound else self.initial.get("org_unit")
        if wanted is None:
            wanted = self.fields["org_unit"].initial
        return by_pk.get(str(getattr(wanted, "pk", wanted))) or (units[0] if units else None)


class ProposalDeclineForm(forms.Form):
    message = forms.CharField(
        label=_("Which times would suit you instead?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AcceptForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=AdminDateTimeInput)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=AdminDateTimeInput)
    venue = forms.CharField(label=_("Venue"), max_length=300, required=False)
    online_url = forms.URLField(
        label=_("Online meeting link"), required=False, assume_scheme="https"
    )
    capacity = forms.IntegerField(label=_("Capacity"))
    organiser = OrgUnitChoiceField(
        label=_("Organising unit"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    facilitators = FacilitatorChoiceField(
        label=_("Facilitators"), queryset=User.objects.none(), required=False
    )
    competence = forms.ModelChoiceField(
        label=_("Competence earned"), queryset=Competence.objects.all(), required=False
    )
    action_card_version = forms.ModelChoiceField(
        label=_("Action Card handed out"),
        queryset=ActionCardVersion.objects.none(),
        required=False,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    job_categories = HeadCountJobCategoriesField(
        label=_("Job categories"),
        queryset=JobCategory.objects.none(),
        required=False,
        help_text=_(
            "Who at the unit the meeting is for, with how many active staff hold each job "
            "category. None chosen: everyone."
        ),
    )
    empty_audience_confirmed = forms.BooleanField(
        label=_("Accept even though nobody is in the audience"),
        required=False,
        help_text=_(
            "For example when the unit's staff are not on the roster yet: the requester can add "
            "them as new colleagues when they book seats."
        ),
    )

    def __init__(self, *args, user, meeting_request: MeetingRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_categories"].queryset = request_selectors.unit_job_categories(
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
    starts_at = forms.DateTimeField(label=_("Proposed start"), widget=AdminDateTimeInput)
    ends_at = forms.DateTimeField(label=_("Proposed end"), widget=AdminDateTimeInput)
    message = forms.CharField(
        label=_("Message to the requester"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The requester reads it in the email and on their request's page."),
    )
