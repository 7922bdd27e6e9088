from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": "That e-mail and password do not match an account. Check both and try again.",
        "inactive": "This account has been deactivated. Ask your organisation's administrator.",
    }


class OrganisationSwitchForm(forms.Form):
    organisation = forms.IntegerField(min_value=1)


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(max_length=200)
    time_zone = forms.CharField(max_length=64, help_text="An IANA time zone such as Europe/London or Africa/Kampala.")
    crisis_contacts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "Shown to a client straight after they answer a self-harm question positively on a self-report link. "
            "Give the local emergency number and crisis services."
        ),
    )
