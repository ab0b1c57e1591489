"""Forms of the admin attendance sheet (attendance.viewsets.attendance): a new walk-in and the
CSV import. They only collect input: the rules are attendance.services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from attendance import access
from lms.importflow import ImportUploadForm, import_file_field
from lms.people.models import OrgUnit


class NewWalkInForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("Email"))
    org_unit = forms.ModelChoiceField(
        label=gettext_lazy("Institution or partner"), queryset=OrgUnit.objects.none()
    )

    def __init__(self, *args, user, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = access.walk_in_units(user, meeting).order_by("path")
        if meeting.institution_id:
            self.fields["org_unit"].initial = meeting.institution_id


class ImportForm(ImportUploadForm):
    file = import_file_field(
        help_text=gettext_lazy(
            "CSV or Excel with the columns email (or employee_number) and mark "
            "(present, late, excused or absent)."
        )
    )
