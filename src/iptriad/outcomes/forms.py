"""The report's choices, sent as a GET form so a report is a link: the period and one breakdown.

A programme's report (several organisations) may also be broken down by organisation, and opens so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms

from iptriad.outcomes.report import BREAKDOWNS, ORGANISATION_BREAKDOWN, PROGRAMME_BREAKDOWNS
from iptriad.web.widgets import DateInput

ERROR_PERIOD = "The period ends before it starts."
NO_BREAKDOWN = ""


@dataclass(frozen=True)
class ReportChoice:
    """A valid choice of period and breakdown; either bound of the period may be open (None)."""

    start: dt.date | None
    end: dt.date | None
    by: str | None

    def query(self) -> str:
        """The choice as a query string, for the download links (empty values kept: an open bound stays open)."""
        return urlencode({"start": _iso(self.start), "end": _iso(self.end), "by": self.by or NO_BREAKDOWN})


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def last_twelve_months(today: dt.date) -> ReportChoice:
    """The default period: the twelve months that end today, today included."""
    try:
        year_before = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_before = today.replace(year=today.year - 1, day=28)
    return ReportChoice(start=year_before + dt.timedelta(days=1), end=today, by=None)


def _by_choices(breakdowns: dict[str, str]) -> list[tuple[str, str]]:
    return [(NO_BREAKDOWN, "Nothing (everyone together)"), *breakdowns.items()]


class ReportChoiceForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To (inclusive)", required=False, widget=DateInput())
    by = forms.ChoiceField(
        label="Break down by",
        required=False,
        choices=_by_choices(BREAKDOWNS),
    )

    def __init__(self, *args: Any, programme: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programme:
            self.fields["by"].choices = _by_choices(PROGRAMME_BREAKDOWNS)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(ERROR_PERIOD)
        return data

    def choice(self) -> ReportChoice:
        data = self.cleaned_data
        return ReportChoice(start=data.get("start"), end=data.get("end"), by=data.get("by") or None)


def report_choice_form(query: Any, today: dt.date, *, programme: bool = False) -> ReportChoiceForm:
    """The form bound to the query string, or to the default when the page is opened without one: the last twelve
    months, everyone together for an organisation and by organisation for a programme (its first question)."""
    if not query:
        default = last_twelve_months(today)
        by = ORGANISATION_BREAKDOWN if programme else NO_BREAKDOWN
        query = {"start": _iso(default.start), "end": _iso(default.end), "by": by}
    return ReportChoiceForm(query, programme=programme)
