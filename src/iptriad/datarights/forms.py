"""The erasure confirmation: the client's identifier typed again, and why (a choice and a case reference)."""

from __future__ import annotations

from typing import Any

from django import forms

from iptriad.clients.models import Client
from iptriad.datarights.models import ExportFormat, ExportReason
from iptriad.datarights.services import ErasureReason

ERROR_IDENTIFIER_MISMATCH = "Type the client's identifier exactly as shown above to confirm."


class ErasureForm(forms.Form):
    identifier = forms.CharField(
        label="Type the client's identifier to confirm",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    reason = forms.ChoiceField(
        label="Why is the client erased?", choices=ErasureReason.choices, widget=forms.RadioSelect
    )
    reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=40,
        help_text="The number of the request or decision in your records, e.g. DSR-2026-014. Not a name or a story:"
        " the audit trail keeps it.",
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client = client

    def clean_identifier(self) -> str:
        typed = str(self.cleaned_data["identifier"]).strip()
        if typed != self.client.identifier:
            raise forms.ValidationError(ERROR_IDENTIFIER_MISMATCH)
        return typed


class ExportRequestForm(forms.Form):
    export_format = forms.ChoiceField(label="Which file?", choices=ExportFormat.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label="Why is it exported?", choices=ExportReason.choices, widget=forms.RadioSelect)
    reference = forms.CharField(
        label="Case reference",
        required=False,
        max_length=40,
        help_text="The number of the request in your records, e.g. DSR-2026-014. Not a name or a story: the audit "
        "trail keeps it.",
    )
