"""The forms of competency records: a training record, a certification, the refresher interval. They check types
and lengths; the rules (dates, the person, the interval's range) are the services', whose messages land on the
fields (iptriad.web.pages.errors_on)."""

from __future__ import annotations

from typing import Any

from django import forms

from iptriad.competency.models import (
    NOTE_MAX,
    REFRESHER_MONTHS_MAX,
    REFRESHER_MONTHS_MIN,
    TITLE_MAX,
    Certification,
    TrainingKind,
    TrainingRecord,
)
from iptriad.competency.services import HOURS_MAX, CertificationDetails, TrainingDetails
from iptriad.web.widgets import DateInput


def _note(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=NOTE_MAX,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
    )


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=TrainingKind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=TITLE_MAX, help_text="e.g. IPT two-day course (Level A).")
    provider = forms.CharField(label="Provider", max_length=TITLE_MAX, required=False)
    completed_on = forms.DateField(label="Completed on", widget=DateInput())
    hours = forms.DecimalField(
        label="Hours",
        required=False,
        min_value=0,
        max_value=HOURS_MAX,
        decimal_places=1,
        help_text="Leave empty when not counted.",
    )
    note = _note("Note", "Optional: anything a supervisor should know about this training.")

    @classmethod
    def for_training(cls, data: Any, training: TrainingRecord) -> TrainingForm:
        initial = {name: getattr(training, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def to_details(self) -> TrainingDetails:
        data = self.cleaned_data
        return TrainingDetails(
            kind=data["kind"],
            title=data["title"],
            provider=data["provider"],
            completed_on=data["completed_on"],
            hours=data["hours"],
            note=data["note"],
        )


class CertificationForm(forms.Form):
    what = forms.CharField(label="Certification", max_length=TITLE_MAX, help_text="e.g. IPT Institute certification.")
    body = forms.CharField(label="Certifying body", max_length=TITLE_MAX, help_text="e.g. IPT Institute.")
    certified_on = forms.DateField(label="Certified on", widget=DateInput())
    valid_until = forms.DateField(
        label="Valid until, or refresher due on",
        required=False,
        widget=DateInput(),
        help_text="Leave empty when it does not lapse.",
    )
    evidence = _note("Evidence", "Optional: where the certificate is filed, its number.")

    @classmethod
    def for_certification(cls, data: Any, certification: Certification) -> CertificationForm:
        initial = {name: getattr(certification, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def to_details(self) -> CertificationDetails:
        data = self.cleaned_data
        return CertificationDetails(
            what=data["what"],
            body=data["body"],
            certified_on=data["certified_on"],
            valid_until=data["valid_until"],
            evidence=data["evidence"],
        )


class RemoveForm(forms.Form):
    """A confirm button: the removal is a POST of this empty form."""


class SettingsForm(forms.Form):
    refresher_months = forms.IntegerField(
        label="Refresher due after (months)",
        min_value=REFRESHER_MONTHS_MIN,
        max_value=REFRESHER_MONTHS_MAX,
        help_text="Counted from a person's last course, workshop or refresher.",
    )
