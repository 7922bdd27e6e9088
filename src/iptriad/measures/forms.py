"""Forms built from an instrument definition, and the alert and link forms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from iptriad.core.instruments import Instrument
from iptriad.core.instruments.model import Item, ItemText, Respondent, Scoring
from iptriad.core.limits import NOTE_MAX
from iptriad.measures.definitions import definitions as instruments
from iptriad.measures.models import SUMMARY_MAX_LENGTH, AlertAction, Cadence, MeasureSchedule, RiskLevel
from iptriad.measures.schedules import (
    ERROR_SCHEDULE_EVERY_N,
    SCHEDULE_EVERY_N_MAX,
    SCHEDULE_FIELDS,
    ScheduleChange,
    schedule_field,
)
from iptriad.measures.services import LINK_DAYS_DEFAULT, LINK_DAYS_MAX
from iptriad.web.widgets import DateInput, TimeInput

NOT_ANSWERED = "-"


def _option_label(item: Item, position: int) -> str:
    option = item.options[position]
    if option.text:
        return option.text
    # Licensed wording not installed: the clinician reads it from the printed form.
    score = "not scored" if option.score is None else f"scores {option.score:g}"
    return f"Option {position + 1} as printed ({score})"


def item_label(definition: Instrument, item: Item) -> str:
    return item.text or f"{definition.short_name} item {item.number} (wording on the printed form)"


def _count_field(definition: Instrument, item: Item, maximum: int) -> forms.IntegerField:
    """A count item (EDE-Q 13-18) asks how many times: a number, never scored; left empty it is not answered."""
    return forms.IntegerField(
        label=f"{item.number}. {item_label(definition, item)}",
        help_text="A number; 0 if none. Leave it empty if you would rather not say.",
        min_value=0,
        max_value=maximum,
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": maximum, "inputmode": "numeric"}),
    )


class QuestionnaireForm(forms.Form):
    """One radio group per item; the value is the position of the option as printed (a count item: the number)."""

    def __init__(self, *args: Any, definition: Instrument, clinician: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for item in definition.items:
            if item.count is not None:
                self.fields[f"item_{item.number}"] = _count_field(definition, item, item.count.maximum)
                continue
            choices = [(str(position), _option_label(item, position)) for position in range(len(item.options))]
            if clinician:
                # The clinician must say so when an item went unanswered, so no gap is an oversight.
                choices.append((NOT_ANSWERED, "Not answered"))
            self.fields[f"item_{item.number}"] = forms.ChoiceField(
                label=f"{item.number}. {item_label(definition, item)}",
                choices=choices,
                widget=forms.RadioSelect,
                # Critical questions are required even when unscored (PHQ-A 12 and 13): never skipped silently.
                required=item.scored or item.critical is not None or clinician,
                error_messages={"required": "Choose an answer for this question."},
            )

    def answers(self) -> list[int | None]:
        answers: list[int | None] = []
        for item in self.definition.items:
            value = self.cleaned_data.get(f"item_{item.number}")
            if item.count is not None:
                answers.append(value)  # the number given, or None
                continue
            text = str(value or "")
            answers.append(None if text in ("", NOT_ANSWERED) else int(text))
        return answers


def instrument_choices(*, self_report: bool) -> list[tuple[str, str]]:
    choices = []
    for definition in instruments().values():
        if self_report and definition.scoring == Scoring.SOCIAL_RHYTHM:
            continue  # a weekly diary, copied in by the clinician (the record page shows the diary form)
        if self_report and (definition.respondent != Respondent.SELF or definition.item_text == ItemText.LOCAL):
            continue
        choices.append((definition.code, f"{definition.short_name}: {definition.name}"))
    return choices


class RecordChoiceForm(forms.Form):
    instrument = forms.ChoiceField(label="Measure to record", choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = instrument_choices(self_report=False)  # type: ignore[attr-defined]


class LinkForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire to send", choices=())
    valid_days = forms.IntegerField(
        label="Link stays open for (days)", min_value=1, max_value=LINK_DAYS_MAX, initial=LINK_DAYS_DEFAULT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = instrument_choices(self_report=True)  # type: ignore[attr-defined]


class ConcernForm(forms.Form):
    concern = forms.CharField(
        label="What is the concern?", max_length=SUMMARY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class AlertCloseForm(forms.Form):
    risk_level = forms.ChoiceField(label="Risk level found", choices=RiskLevel.choices, widget=forms.RadioSelect)
    assessment = forms.CharField(
        label="Assessment",
        help_text="Ideation, plan, intent, means, past attempts, protective factors.",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    action = forms.ChoiceField(label="Action taken", choices=AlertAction.choices, widget=forms.RadioSelect)
    action_detail = forms.CharField(
        label="What was done", required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Measure schedules of a course ------------------------------------------------------------------------------


def _instrument_label(code: str) -> str:
    definition = instruments().get(code)
    return definition.short_name if definition is not None else code.upper()


class ScheduleEditForm(forms.Form):
    """One fieldset per schedule row: how often, every how many sessions, and whether it is in use."""

    def __init__(self, *args: Any, schedules: Sequence[MeasureSchedule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schedules = list(schedules)
        self.rows: list[dict[str, Any]] = []
        for schedule in self.schedules:
            name = _instrument_label(schedule.instrument_code)
            cadence, every_n, active = (schedule_field(schedule.pk, field) for field in SCHEDULE_FIELDS)
            self.fields[cadence] = forms.ChoiceField(
                label="How often", choices=Cadence.choices, initial=schedule.cadence
            )
            self.fields[every_n] = forms.IntegerField(
                label="Every how many sessions",
                help_text="Only for “at the start, every N sessions and at the end”.",
                required=False,
                initial=schedule.every_n,
                widget=forms.NumberInput(attrs={"min": 1, "max": SCHEDULE_EVERY_N_MAX}),
                error_messages={"invalid": ERROR_SCHEDULE_EVERY_N},
            )
            self.fields[active] = forms.BooleanField(label="In use", required=False, initial=schedule.active)
            self.rows.append(
                {
                    "schedule": schedule,
                    "name": name,
                    "cadence": self[cadence],
                    "every_n": self[every_n],
                    "active": self[active],
                }
            )

    def changes(self) -> list[ScheduleChange]:
        return [
            ScheduleChange(
                schedule_id=schedule.pk,
                cadence=self.cleaned_data[schedule_field(schedule.pk, "cadence")],
                every_n=self.cleaned_data[schedule_field(schedule.pk, "every_n")],
                active=self.cleaned_data[schedule_field(schedule.pk, "active")],
            )
            for schedule in self.schedules
        ]


class ScheduleAddForm(forms.Form):
    # A plain text value behind the list, so the service's own refusals (unknown, already scheduled) are the ones shown.
    instrument = forms.CharField(label="Measure", widget=forms.Select)
    cadence = forms.ChoiceField(label="How often", choices=Cadence.choices, initial=Cadence.EVERY_N_SESSIONS)
    every_n = forms.IntegerField(
        label="Every how many sessions",
        help_text="Only for “at the start, every N sessions and at the end”.",
        required=False,
        initial=4,
        widget=forms.NumberInput(attrs={"min": 1, "max": SCHEDULE_EVERY_N_MAX}),
        error_messages={"invalid": ERROR_SCHEDULE_EVERY_N},
    )

    def __init__(self, *args: Any, schedules: Sequence[MeasureSchedule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scheduled = {schedule.instrument_code for schedule in schedules}
        self.fields["instrument"].widget.choices = [
            (definition.code, f"{definition.short_name}: {definition.name}")
            for definition in instruments().values()
            if definition.code not in scheduled
        ]


class SocialRhythmForm(forms.Form):
    """One week of the SRM-5 diary: a clock time per activity per day, empty when it did not happen."""

    week_start = forms.DateField(label="First day of the week", widget=DateInput())

    def __init__(self, *args: Any, definition: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        for day in range(1, 8):
            for item in definition.items:
                self.fields[f"d{day}_a{item.number}"] = forms.TimeField(
                    label=f"Day {day}: {item.text or f'activity {item.number}'}",
                    required=False,
                    widget=TimeInput(),
                )

    def week(self) -> list[list[int | None]]:
        week: list[list[int | None]] = []
        for day in range(1, 8):
            times: list[int | None] = []
            for item in self.definition.items:
                value = self.cleaned_data.get(f"d{day}_a{item.number}")
                times.append(None if value is None else value.hour * 60 + value.minute)
            week.append(times)
        return week

    def days(self) -> list[list[forms.BoundField]]:
        """The fields day by day, for the template's table."""
        return [[self[f"d{day}_a{item.number}"] for item in self.definition.items] for day in range(1, 8)]
