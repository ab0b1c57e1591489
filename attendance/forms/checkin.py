"""The form of the QR self check-in page (attendance.views.checkin) for someone not signed in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class CheckInEmailForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("The email address you signed up with"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Your booking code"),
        help_text=gettext_lazy(
            "Six letters and digits, in your confirmation email and calendar invitation."
        ),
        max_length=20,
        error_messages={
            "required": gettext_lazy("Type the booking code from your confirmation email.")
        },
    )
