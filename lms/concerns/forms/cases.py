"""The admin's forms for each step of a case (services.cases.concern_advance checks them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.concerns.models import Concern

Status = Concern.Status


class _DateInput(forms.DateInput):
    input_type = "date"


class LeaderForm(forms.Form):
    leader_informed_on = forms.DateField(label=_("Leader informed on"), widget=_DateInput)


class InterviewForm(forms.Form):
    interview_on = forms.DateField(label=_("Concern interview on"), widget=_DateInput)
    interview_by = forms.CharField(
        label=_("Who took part"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AnalysisForm(forms.Form):
    analysis_authorities = forms.CharField(
        label=_("Authorities that took part in the analysis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AssessmentForm(forms.Form):
    assessment = forms.CharField(
        label=_("Overall assessment and recommendation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Concern.Outcome.choices, widget=forms.RadioSelect
    )
    police_decision = forms.ChoiceField(
        label=_("The police's decision on PET/EAE"),
        help_text=_("Only the police representative records this decision."),
        choices=[("", "---------"), *Concern.PoliceDecision.choices],
        required=False,
    )
    forwarded_to = forms.CharField(
        label=_("Forwarded to"),
        help_text=_("The service the concern was forwarded to, when it is not about extremism."),
        max_length=200,
        required=False,
    )


class FeedbackForm(forms.Form):
    feedback_on = forms.DateField(label=_("Feedback given to the reporter on"), widget=_DateInput)


class CloseForm(forms.Form):
    journal_reference = forms.CharField(
        label=_("Journal reference in the municipality's case system"), max_length=100
    )


STEP_FORMS: dict[str, type[forms.Form]] = {
    Status.LEADER_INFORMED: LeaderForm,
    Status.INTERVIEW: InterviewForm,
    Status.ANALYSIS: AnalysisForm,
    Status.ASSESSMENT: AssessmentForm,
    Status.OUTCOME: OutcomeForm,
    Status.FEEDBACK_GIVEN: FeedbackForm,
    Status.CLOSED: CloseForm,
}
