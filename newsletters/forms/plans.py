"""The form of an Infohus's newsletter plan (newsletters.services.plans.edition_plan_save)."""

from __future__ import annotations

from django import forms

from newsletters.models import EditionPlan


class EditionPlanForm(forms.ModelForm):
    class Meta:
        model = EditionPlan
        fields = ["first_due_month", "second_due_month", "reminder_weeks"]
