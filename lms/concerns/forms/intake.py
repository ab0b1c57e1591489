"""The intake forms: a member of staff or a partner, and a citizen.

The forms only check what was typed; who the reporter is, the route and the rest are
lms.concerns.services.intake's. Each form carries a one-time token (`submission`) so that the
same form posted twice makes one case.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from lms.concerns.models import Concern

TEXT_MAX = 5000
NAME_MAX = 200

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class _ConcernForm(forms.Form):
    submission = forms.UUIDField(widget=forms.HiddenInput)
    age_group = forms.ChoiceField(
        label=_("How old is the person you are worried about?"),
        choices=Concern.AgeGroup.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the age group of the person you are worried about.")},
    )
    description = forms.CharField(
        label=_("What have you seen or heard?"),
        help_text=_(
            "Describe what worries you: what the person said or did, when, and whether it has "
            "changed over time."
        ),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Describe what you have seen or heard.")},
    )
    subject_name = forms.CharField(
        label=_("The person's name"),
        help_text=_("You may leave it out at this step."),
        max_length=NAME_MAX,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", uuid.uuid4())


class ProfessionalForm(_ConcernForm):
    """A member of staff (signed in: their name, email and workplace are filled in) or a partner
    (not signed in: name, organisation and phone)."""

    reporter_name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_MAX,
        error_messages={"required": _("Give your name.")},
    )
    reporter_organisation = forms.CharField(
        label=_("Your workplace or organisation"),
        max_length=NAME_MAX,
        error_messages={"required": _("Give your organisation.")},
    )
    reporter_phone = forms.CharField(
        label=_("Your phone number"),
        max_length=40,
        error_messages={"required": _("Give a phone number we can call you on.")},
    )
    reporter_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The receipt with the case reference is sent here."),
        required=False,
    )
    leader_knows = forms.ChoiceField(
        label=_("Does your leader know about the concern?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say whether your leader knows about the concern.")},
    )

    def __init__(self, *args, staff: bool, workplace_known: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            # Staff are called back through their workplace's phone book or mail.
            self.fields["reporter_phone"].required = False
            self.fields["reporter_email"].required = True
            self.fields["reporter_email"].error_messages["required"] = _("Give your email address.")
        if workplace_known:
            # The roster says where they work.
            del self.fields["reporter_organisation"]

    def clean_leader_knows(self) -> bool:
        return self.cleaned_data["leader_knows"] == "yes"


class CitizenForm(_ConcernForm):
    anonymous = forms.BooleanField(
        label=_("I want to stay anonymous"),
        help_text=_(
            "Then leave out your name and contact details. The Infohus cannot call you back."
        ),
        required=False,
    )
    reporter_name = forms.CharField(label=_("Your name"), max_length=NAME_MAX, required=False)
    reporter_phone = forms.CharField(label=_("Your phone number"), max_length=40, required=False)
    reporter_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("If you give it, the receipt with the case reference is sent here."),
        required=False,
    )

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in ("reporter_name", "reporter_phone", "reporter_email")):
            # Nothing about the reporter: that is an anonymous concern, ticked or not.
            data["anonymous"] = True
        return data
