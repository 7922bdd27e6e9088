"""The period and breakdown a programme lead chooses on the programme page (a GET form: the address is shareable)."""

from __future__ import annotations

from typing import Any

from django import forms

from iptriad.outcomes.report import ORGANISATION_BREAKDOWN, PERIOD_REVERSED, PROGRAMME_BREAKDOWNS
from iptriad.web.widgets import DateInput

NO_BREAKDOWN = ""


class ProgrammeReportForm(forms.Form):
    start = forms.DateField(label="Ended from", required=False, widget=DateInput())
    end = forms.DateField(label="Ended up to", required=False, widget=DateInput())
    by = forms.ChoiceField(
        label="Break down by",
        required=False,
        choices=[(NO_BREAKDOWN, "No breakdown"), *PROGRAMME_BREAKDOWNS.items()],
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "by" not in self.data:  # the page opened without a choice: the programme's first question, each organisation
            cleaned["by"] = ORGANISATION_BREAKDOWN
        start, end = cleaned.get("start"), cleaned.get("end")
        if start is not None and end is not None and end < start:
            self.add_error("end", PERIOD_REVERSED.capitalize() + ".")
        return cleaned
