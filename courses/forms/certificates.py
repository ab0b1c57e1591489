"""The public verification page's form: the code printed on a certificate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=40,
        help_text=gettext_lazy("The code printed on the certificate, e.g. ABCD-EFGH-JKMN."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
