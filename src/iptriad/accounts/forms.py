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
