"""The client form: parses and types the input; the service decides what is valid."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from iptriad.accounts.actors import Actor
from iptriad.accounts.selectors import clinicians_of_organisation
from iptriad.clients.models import Client, MessageChannel
from iptriad.clients.permissions import client_policy
from iptriad.clients.services import ClientDetails
from iptriad.core.details import details_from, field_names
from iptriad.web.widgets import DateInput

# Entered text the service gets without surrounding spaces (the API's bodies are tidied the same way).
TIDIED = ("identifier", "given_name", "family_name", "gender", "phone", "email")


def tidied(values: Mapping[str, Any]) -> dict[str, Any]:
    """The entered values with the names and contact details stripped and the e-mail in lower case."""
    text = {name: values[name].strip() for name in TIDIED}
    return {**values, **text, "email": text["email"].lower()}


class ClinicianChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class ClientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Client
        fields = field_names(ClientDetails)
        field_classes = {"therapist": ClinicianChoiceField}
        widgets = {
            "date_of_birth": DateInput(),
            "consent_to_treatment_on": DateInput(),
            "consent_to_data_use_on": DateInput(),
            "consent_to_messages_on": DateInput(),
        }
        labels = {
            "consent_to_treatment_on": "Date consent to treatment was given",
            "consent_to_data_use_on": "Date consent to data use was given",
            "consent_to_data_use": "Consent to use of data for service evaluation",
            "email": "E-mail",
            "message_channel": "Messages (self-report links and reminders) by",
            "consent_to_messages": "Consent to receive messages",
            "consent_to_messages_on": "Date consent to messages was given",
        }
        help_texts = {
            "phone": "For self-report links by text message, with the country code, e.g. +44 7700 900123.",
            "email": "For self-report links by e-mail.",
            "consent_to_messages": (
                "Ask first: questionnaires before each session, and reminders, are sent only with this consent. "
                "The client can stop them from any message."
            ),
        }

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        therapist_field = cast(forms.ModelChoiceField, self.fields["therapist"])  # type: ignore[type-arg]
        clinicians = clinicians_of_organisation(organisation=actor.organisation)
        if not client_policy.may_assign_any_therapist(actor):
            current = self.instance.therapist_id if self.instance.pk else None
            clinicians = clinicians.filter(pk__in=[actor.user_id, current])
        therapist_field.queryset = clinicians
        therapist_field.empty_label = "Not yet assigned"
        # Not chosen (a form from before messages existed, a script): no messages.
        self.fields["message_channel"].required = False

    def _post_clean(self) -> None:
        # Run the model fields' own validators (phone, identifier) but not the model's constraints:
        # the service validates the whole record with messages that say what to fix, and the database
        # constraints back it up.
        construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        try:
            self.instance.clean_fields(exclude=self._get_validation_exclusions())  # type: ignore[attr-defined]
        except ValidationError as error:
            self._update_errors(error)  # type: ignore[attr-defined]

    def to_details(self) -> ClientDetails:
        values = tidied(self.cleaned_data)
        values["message_channel"] = values.get("message_channel") or MessageChannel.NONE
        return details_from(ClientDetails, values)


class ClientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name or identifier")
    status = forms.ChoiceField(
        required=False,
        choices=(("active", "Active"), ("archived", "Archived"), ("all", "All")),
        label="Status",
    )
