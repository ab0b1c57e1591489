"""Forms of the requester's pages (attendance.views.requests). They only collect input: the rules
(dates not in the past, at least one participant, the unit inside the user's area) live in
attendance.services.requests, whose errors the views put on these forms' fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance import access
from attendance.models import Meeting
from attendance.selectors import meetings as selectors
from lms.people.models import JobCategory, OrgUnit


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.indented_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class JobCategoriesField(forms.ModelMultipleChoiceField):
    """Offers the job categories of the chosen unit with their head counts ("Lærer (12)"), but
    accepts any: whether the unit has staff of a category is the service's rule, with its
    message (the unit may have changed in the same post)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.accepted = JobCategory.objects.all()

    def label_from_instance(self, obj):
        count = getattr(obj, "head_count", None)
        return obj.name if count is None else f"{obj.name} ({count})"

    def clean(self, value):
        offered = self.queryset
        self.queryset = self.accepted
        try:
            return super().clean(value)
        finally:
            self.queryset = offered


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
    job_categories = JobCategoriesField(
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
            self.fields["job_categories"].queryset = selectors.unit_job_categories(
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
