"""The leader's form for an urgent message: the four parts the plan asks for, the Infohus it is
sent from and its audience, prefilled with the Infohus's default audience
(selectors.audiences.default_audience). The write is newsletters.services.urgent, whose errors
`errors_to_form` puts on these fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.forms import OrgUnitMultipleChoiceField
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User
from newsletters import access
from newsletters.selectors.audiences import default_audience
from newsletters.services.urgent import REQUIRED_MESSAGES


class _Infohus(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UrgentMessageForm(forms.Form):
    org_unit = _Infohus(label=_("Sent from"), queryset=OrgUnit.objects.none(), empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    situation = forms.CharField(
        label=_("What has happened and what is being done"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Facts only, no personal data about the people involved."),
    )
    who_acts = forms.CharField(label=_("Who acts"), widget=forms.Textarea(attrs={"rows": 3}))
    staff_action = forms.CharField(
        label=_("How staff should act"), widget=forms.Textarea(attrs={"rows": 4})
    )
    contact = forms.CharField(
        label=_("Whom to contact"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names, phone numbers and when they can be reached."),
    )
    audience_units = OrgUnitMultipleChoiceField(
        label=_("Send to"),
        queryset=OrgUnit.objects.none(),
        help_text=_("Each unit with everything below it."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    job_categories = forms.ModelMultipleChoiceField(
        label=_("Job categories"),
        queryset=JobCategory.objects.all(),
        required=False,
        help_text=_("None: every job category."),
        widget=forms.CheckboxSelectMultiple,
    )
    include_externals = forms.BooleanField(
        label=_("Include staff of external institutions"), required=False
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        infohus_units = access.urgent_infohus_units(user)
        self.fields["org_unit"].queryset = infohus_units
        self.fields["audience_units"].queryset = policy.org_units(
            user, access.URGENT_SEND
        ).order_by("path")
        # Empty fields get their "required" error in Danish from the service's wording.
        for name in ("subject", "situation", "who_acts", "staff_action", "contact"):
            self.fields[name].error_messages["required"] = REQUIRED_MESSAGES[name]
        self.fields["audience_units"].error_messages["required"] = _(
            "Choose at least one unit to send to."
        )
        if not self.is_bound:
            first = infohus_units.first()
            if first is not None:
                self.initial.setdefault("org_unit", first.pk)
                default = default_audience(first)
                in_scope = [u for u in default.units if policy.can(user, access.URGENT_SEND, u)]
                self.initial.setdefault("audience_units", [u.pk for u in in_scope or [first]])
                self.initial.setdefault("job_categories", [c.pk for c in default.job_categories])
                self.initial.setdefault("include_externals", default.include_externals)
        if infohus_units.count() == 1:
            self.fields["org_unit"].widget = forms.HiddenInput()
