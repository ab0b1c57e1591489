"""The form of an Infohus's default newsletter audience (services.audiences)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.forms import OrgUnitMultipleChoiceField
from lms.people import policy
from lms.people.models import JobCategory, OrgUnit, User
from newsletters import access
from newsletters.selectors.audiences import Audience


class AudienceDefaultForm(forms.Form):
    units = OrgUnitMultipleChoiceField(
        label=_("Audience units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Each unit with everything below it. None: the whole Infohus unit."),
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

    def __init__(self, *args, user: User, infohus: OrgUnit, current: Audience, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            policy.org_units(user, access.SEND)
            .filter(path__startswith=infohus.path)
            .order_by("path")
        )
        if not self.is_bound:
            self.initial = {
                "units": [u.pk for u in current.units if u.pk != infohus.pk],
                "job_categories": [c.pk for c in current.job_categories],
                "include_externals": current.include_externals,
            }
