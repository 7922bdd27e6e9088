from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest

from iptriad.accounts.models import Organisation, User
from iptriad.core.limits import CRISIS_CONTACTS_MAX


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    error_messages = {
        "invalid_login": "That e-mail and password do not match an account. Check both and try again.",
        "inactive": "This account has been deactivated. Ask your organisation's administrator.",
    }


# The largest key a BigAutoField holds: a bigger number is no organisation, and the database would refuse it (a 500).
LARGEST_ID = 2**63 - 1


class OrganisationSwitchForm(forms.Form):
    organisation = forms.IntegerField(min_value=1, max_value=LARGEST_ID)


class OrganisationSettingsForm(forms.Form):
    name = forms.CharField(max_length=Organisation._meta.get_field("name").max_length)
    time_zone = forms.CharField(
        max_length=Organisation._meta.get_field("time_zone").max_length,
        help_text="An IANA time zone such as Europe/London or Africa/Kampala.",
    )
    crisis_contacts = forms.CharField(
        max_length=CRISIS_CONTACTS_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            "Shown to a client straight after they answer a self-harm question positively on a self-report link. "
            "Give the local emergency number and crisis services."
        ),
    )
    mfa_required = forms.BooleanField(
        required=False,
        label="Require an authenticator app for administrators, supervisors and therapists",
        help_text="Strongly recommended: a stolen password alone then cannot open client records.",
    )


class MfaCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


class MfaEnrolForm(forms.Form):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="After adding iptriad to the app, type the 6-digit code it shows.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class ReauthenticateForm(forms.Form):
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, with_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        if with_code:
            self.fields["code"] = copy.deepcopy(MfaCodeForm.base_fields["code"])

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        # Through the authentication backends, so django-axes counts failures here as at the login form: a
        # session left open cannot be used to guess the password without being locked out.
        authenticated = authenticate(self.request, username=self.user.email, password=password)
        if authenticated is None or authenticated.pk != self.user.pk:
            raise forms.ValidationError("That password is not right.")
        return password


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label="New e-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class MobilePhoneForm(forms.Form):
    mobile_phone = forms.CharField(
        label="Mobile number",
        required=False,
        max_length=30,
        help_text="For risk-alert text messages, where your organisation sends them. Start with + and the country "
        "code, e.g. +44 7700 900123. Leave empty to have none.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form: the current password, then the new one twice, checked by every password validator."""

    error_messages = {
        **auth_forms.PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Type it again.",
    }


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="E-mail",
        max_length=User._meta.get_field("email").max_length,
        help_text="The address you log in with.",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class PasswordResetForm(auth_forms.SetPasswordForm):  # type: ignore[type-arg]
    """Django's form: the new password twice, checked by every password validator; no current password."""
