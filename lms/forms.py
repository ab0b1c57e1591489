"""What every app's forms share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

__all__ = ["OrgUnitChoiceField", "OrgUnitMultipleChoiceField", "errors_to_form"]


def errors_to_form(
    form: forms.Form, error: ValidationError, *, default_field: str | None = None
) -> None:
    """A service's ValidationError onto the form that called it: each message on its field where
    the form has that field, else on `default_field` (None: the form's own errors)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else default_field, messages)
    else:
        form.add_error(default_field, error.messages)


class OrgUnitChoiceField(forms.ModelChoiceField):
    """An org unit, listed with its place in the tree (OrgUnit.indented_name)."""

    def label_from_instance(self, obj):
        return obj.indented_name


class OrgUnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Org units, listed with their place in the tree (OrgUnit.indented_name)."""

    def label_from_instance(self, obj):
        return obj.indented_name
