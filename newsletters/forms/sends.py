"""The sends admin's forms: a draft send (edition, Infohus, audience), its schedule, a test mail.

The audience field lists only the units the user may send to, but accepts any unit: one
outside the scope (a forged form, or a scope that changed) reaches the service, whose refusal
names the units ("Du må ikke sende til disse enheder: ...") and changes nothing.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput

from lms.forms import OrgUnitMultipleChoiceField
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User
from newsletters import access
from newsletters.models import NewsletterPage
from newsletters.selectors.sends import infohus_units_for
from newsletters.services.sends import TEST_ADDRESSES_MAX


class EditionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.title} \u2013 {obj.edition_label}"
        return label if obj.live else f"{label} ({_('draft')})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class SendForm(forms.Form):
    edition = EditionChoiceField(
        label=_("Edition"),
        queryset=NewsletterPage.objects.order_by("-latest_revision_created_at", "-pk"),
        help_text=_("The newsletter must be published before it is sent."),
    )
    org_unit = UnitChoiceField(
        label=_("Sent by (Infohus)"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    audience_units = OrgUnitMultipleChoiceField(
        label=_("Send to"),
        queryset=OrgUnit.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each unit with everything below it."),
    )
    job_categories = forms.ModelMultipleChoiceField(
        label=_("Job categories"),
        queryset=JobCategory.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None: every job category."),
    )
    include_externals = forms.BooleanField(
        label=_("Include staff of external institutions"), required=False
    )

    def __init__(self, *args, user: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        infohus = self.fields["org_unit"]
        infohus.queryset = infohus_units_for(user)
        if editing:
            # The Infohus of a send does not change: it decides who manages it.
            del self.fields["org_unit"]
        # Shown: the units the user may send to. Accepted: any unit (see the module's doc).
        shown = policy.org_units(user, access.SEND).order_by("path")
        self.fields["audience_units"].widget.choices = [
            (unit.pk, unit.indented_name) for unit in shown
        ]


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        widget=AdminDateTimeInput,
        help_text=_("Danish time (Copenhagen)."),
    )


class TestForm(forms.Form):
    addresses = forms.CharField(
        label=_("Send a test to"),
        max_length=1000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["addresses"].help_text = _(
            "One address, or up to %(max)s separated by commas."
        ) % {"max": TEST_ADDRESSES_MAX}

    def clean_addresses(self) -> list[str]:
        raw = self.cleaned_data["addresses"].replace(";", ",").replace("\n", ",")
        return [a.strip() for a in raw.split(",") if a.strip()]
