"""The admin forms for an Infohus's deadlines and forwarding services (services.settings checks
and saves them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.concerns.models.settings import ACKNOWLEDGE_DAYS, FEEDBACK_DAYS


class DeadlinesForm(forms.Form):
    acknowledge_days = forms.IntegerField(
        label=_("Acknowledge within (days)"),
        help_text=_("Days from receiving a concern until its first step is recorded."),
        min_value=ACKNOWLEDGE_DAYS.minimum,
        max_value=ACKNOWLEDGE_DAYS.maximum,
    )
    feedback_days = forms.IntegerField(
        label=_("Give feedback within (days)"),
        help_text=_("Days from receiving a concern until the reporter has had feedback."),
        min_value=FEEDBACK_DAYS.minimum,
        max_value=FEEDBACK_DAYS.maximum,
    )


class ForwardingServiceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    handles = forms.CharField(
        label=_("What it handles"),
        help_text=_("For example negative social control or forced marriage."),
        max_length=300,
    )
    contact = forms.CharField(
        label=_("Contact and address"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
