"""The form that records an external course (CDE, SIRI, Infohus Nordjylland) for one person; the
choices are limited to the people and competences the user may record evidence for."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy
from wagtail.admin.widgets import AdminDateInput

from lms.competence import access
from lms.competence.models import Competence, Evidence
from lms.competence.services import evidence as services
from lms.people import policy
from lms.people.models import Person

A = access.Action


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Name and unit; the email tells namesakes apart.
        return f"{obj.name} ({obj.email}, {obj.org_unit.name})"


class ExternalEvidenceForm(forms.Form):
    person = PersonChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())
    competence = forms.ModelChoiceField(
        label=gettext_lazy("Competence"), queryset=Competence.objects.filter(active=True)
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Course provider"),
        choices=[(value, Evidence.Source(value).label) for value in services.EXTERNAL_SOURCES],
        widget=forms.RadioSelect,
    )
    achieved_on = forms.DateField(label=gettext_lazy("Completed on"), widget=AdminDateInput)
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=services.EXTERNAL_REFERENCE_MAX_LENGTH,
        help_text=gettext_lazy(
            "The provider's certificate or course number, if there is one. The same course is "
            "recorded once."
        ),
    )
    attachment = forms.FileField(
        label=gettext_lazy("Certificate file"),
        required=False,
        help_text=gettext_lazy("Optional: the course certificate as PDF, PNG or JPEG, up to 5 MB."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            policy.people(user, A.EVIDENCE_RECORD)
            .filter(active=True, anonymised_at__isnull=True)
            .select_related("org_unit")
            .order_by("name", "pk")
        )
        self.fields["competence"].queryset = access.competences_visible_to(
            user, Competence.objects.filter(active=True)
        )
