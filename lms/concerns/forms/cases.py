"""The admin's forms for each step of a case (services.cases.concern_advance checks them)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.concerns.models import Concern, ForwardingService

Status = Concern.Status


class _DateInput(forms.DateInput):
    input_type = "date"


class _StepForm(forms.Form):
    """A step's form; the outcome's needs the case (its Infohus's forwarding services)."""

    def __init__(self, *args, concern: Concern | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.concern = concern


class LeaderForm(_StepForm):
    leader_informed_on = forms.DateField(label=_("Leader informed on"), widget=_DateInput)


class InterviewForm(_StepForm):
    interview_on = forms.DateField(label=_("Concern interview on"), widget=_DateInput)
    interview_by = forms.CharField(
        label=_("Who took part"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class AnalysisForm(_StepForm):
    analysis_authorities = forms.CharField(
        label=_("Authorities that took part in the analysis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class AssessmentForm(_StepForm):
    assessment = forms.CharField(
        label=_("Overall assessment and recommendation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
    )


class OutcomeForm(_StepForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Concern.Outcome.choices, widget=forms.RadioSelect
    )
    police_decision = forms.ChoiceField(
        label=_("The police's decision on PET/EAE"),
        help_text=_("Only the police representative records this decision."),
        choices=[("", "---------"), *Concern.PoliceDecision.choices],
        required=False,
    )
    forwarded_service = forms.ModelChoiceField(
        label=_("Forwarded to"),
        help_text=_(
            "When it is not about extremism: the service the concern was forwarded to, from the "
            "Infohus's list of forwarding services."
        ),
        queryset=ForwardingService.objects.none(),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.concern is not None:
            self.fields["forwarded_service"].queryset = ForwardingService.objects.filter(
                infohus_id=self.concern.infohus_id, active=True
            )
            self.fields["forwarded_service"].label_from_instance = lambda service: (
                f"{service.name} ({service.handles})"
            )


class FeedbackForm(_StepForm):
    feedback_on = forms.DateField(label=_("Feedback given to the reporter on"), widget=_DateInput)


class CloseForm(_StepForm):
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
