"""Forms of the requester's pages (attendance.request_views). They only collect input: the rules
(dates not in the past, at least one participant, the unit inside the user's area) live in
attendance.services.requests, whose errors the views put on these forms' fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.people import policy
from lms.people.models import JobCategory, OrgUnit

from .models import Meeting


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RequestForm(forms.Form):
    org_unit = UnitChoiceField(
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
    job_categories = forms.ModelMultipleChoiceField(
        label=_("Job categories"),
        queryset=JobCategory.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every job category."),
    )
    message = forms.CharField(
        label=_("Message to the Infohus"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = policy.request_units(user).order_by("path")
        self.fields["org_unit"].queryset = units
        if len(units) == 1:
            self.fields["org_unit"].initial = units[0].pk


class ProposalDeclineForm(forms.Form):
    message = forms.CharField(
        label=_("Which times would suit you instead?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
