"""The roster form: for each member in the group, attendance, the symptom check's items, a worried tick with what
worried the facilitator, a short note, and the make-up date; the session's date and note. Field names carry the
member's id (`member_<id>_status`), the same keys the session service names in its errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from iptriad.core.instruments import Instrument
from iptriad.groups.models import ATTENDANCE_CHOICES, SHORT_NOTE_MAX
from iptriad.groups.selectors.sessions import Roster, RosterRow
from iptriad.groups.services.sessions import RosterEntry
from iptriad.measures.models import SUMMARY_MAX_LENGTH
from iptriad.web.widgets import DateInput


def field_name(member_id: int, part: str) -> str:
    return f"member_{member_id}_{part}"


@dataclass(frozen=True)
class RadioOption:
    id: str
    value: str
    text: str
    checked: bool


RADIO_OPTION = (
    '<label class="choice" for="{}"><input type="radio" name="{}" value="{}" id="{}"{}{}> <span>{}</span></label>'
)
CHECKED = " checked"  # escaping leaves it as it is: no character of it is special in HTML


@dataclass(frozen=True)
class RadioGroup:
    """A radio field as plain data, written out as HTML here: a roster of 12 carries some 500 radio buttons, and
    rendering each through Django's widget templates (or a template loop) took most of the page's time."""

    id: str
    name: str
    label: str
    errors: list[str]
    options: list[RadioOption]
    css_class: str = ""
    choices_class: str = ""

    def html(self) -> SafeString:
        error_id = f"{self.id}_error"
        described = format_html(' aria-describedby="{}"', error_id) if self.errors else ""
        inputs = format_html_join(
            "",
            RADIO_OPTION,
            (
                (
                    option.id,
                    self.name,
                    option.value,
                    option.id,
                    CHECKED if option.checked else "",
                    described,
                    option.text,
                )
                for option in self.options
            ),
        )
        error = (
            format_html('<p class="field-error" id="{}">{}</p>', error_id, " ".join(self.errors)) if self.errors else ""
        )
        return format_html(
            '<fieldset class="question{}{}" id="{}"><legend>{}</legend>{}<div class="choices{}">{}</div></fieldset>',
            f" {self.css_class}" if self.css_class else "",
            " has-error" if self.errors else "",
            self.id,
            self.label,
            error,
            f" {self.choices_class}" if self.choices_class else "",
            inputs,
        )


def radio_group(field: BoundField, *, css_class: str = "", choices_class: str = "") -> RadioGroup:
    value = field.value()
    chosen = "" if value is None else str(value)
    choices = cast(forms.ChoiceField, field.field).choices
    return RadioGroup(
        id=field.auto_id,
        name=field.html_name,
        label=str(field.label),
        errors=[str(error) for error in field.errors],
        options=[
            RadioOption(id=f"{field.auto_id}_{index}", value=str(key), text=str(text), checked=str(key) == chosen)
            for index, (key, text) in enumerate(choices)  # type: ignore[arg-type]
        ],
        css_class=css_class,
        choices_class=choices_class,
    )


class RosterForm(forms.Form):
    held_on = forms.DateField(label="Date the session was held", widget=DateInput())
    note = forms.CharField(
        label="Note on the session (optional)",
        required=False,
        max_length=SHORT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Themes, anything the supervisor should know. Do not write about one member here.",
    )

    def __init__(self, *args: Any, roster: Roster, **kwargs: Any) -> None:
        session = roster.session
        kwargs["initial"] = {
            "held_on": session.held_on or min(timezone.localdate(), session.planned_on),
            "note": session.note,
        }
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.check: Instrument = roster.check
        for row in roster.rows:
            self._add_member(row)

    def _add_member(self, row: RosterRow) -> None:
        pk = row.member.pk
        recorded = row.recorded
        self.fields[field_name(pk, "status")] = forms.ChoiceField(
            label="Attendance",
            choices=ATTENDANCE_CHOICES,
            widget=forms.RadioSelect,
            initial=recorded.status if recorded else None,
            error_messages={"required": "Choose present, absent, excused or make-up."},
        )
        self.fields[field_name(pk, "made_up_on")] = forms.DateField(
            label="Day of the make-up meeting",
            required=False,
            widget=DateInput(),
            initial=recorded.made_up_on if recorded else None,
        )
        if not row.has_check:
            for item in self.check.items:
                if not item.options:
                    continue
                self.fields[field_name(pk, f"q{item.number}")] = forms.TypedChoiceField(
                    label=f"{item.number}. {item.text or f'Item {item.number}'}",
                    choices=[
                        (str(position), option.text or str(position)) for position, option in enumerate(item.options)
                    ],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )
        self.fields[field_name(pk, "worried")] = forms.BooleanField(
            label="I am worried about this member's safety",
            required=False,
            initial=False,
        )
        self.fields[field_name(pk, "concern")] = forms.CharField(
            label="What worried you (optional)",
            required=False,
            max_length=SUMMARY_MAX_LENGTH,
        )
        self.fields[field_name(pk, "note")] = forms.CharField(
            label="Short note (optional)",
            required=False,
            max_length=SHORT_NOTE_MAX,
            initial=recorded.note if recorded else "",
        )

    def member_fields(self, row: RosterRow) -> dict[str, Any]:
        """The bound fields of one member's card, by part, for the template."""
        pk = row.member.pk
        prefix = field_name(pk, "q")
        items = [radio_group(self[name]) for name in self.fields if name.startswith(prefix)]
        return {
            "status": radio_group(
                self[field_name(pk, "status")], css_class="attendance", choices_class="attendance-choices"
            ),
            "made_up_on": self[field_name(pk, "made_up_on")],
            "items": items,
            # Open the check when something in it was answered or refused, so a correction is seen at once.
            "check_open": any(item.errors or any(option.checked for option in item.options) for item in items),
            "worried": self[field_name(pk, "worried")],
            "concern": self[field_name(pk, "concern")],
            "note": self[field_name(pk, "note")],
        }

    def entries(self) -> list[RosterEntry]:
        data = self.cleaned_data
        entries = []
        for row in self.roster.rows:
            pk = row.member.pk
            answers = None
            if not row.has_check:
                answers = [
                    data.get(field_name(pk, f"q{item.number}")) if item.options else None for item in self.check.items
                ]
            entries.append(
                RosterEntry(
                    member_id=pk,
                    status=data[field_name(pk, "status")],
                    answers=answers,
                    risk_flag=bool(data.get(field_name(pk, "worried"))),
                    concern=data.get(field_name(pk, "concern")) or "",
                    note=data.get(field_name(pk, "note")) or "",
                    made_up_on=data.get(field_name(pk, "made_up_on")),
                )
            )
        return entries

    @property
    def held_on_value(self) -> dt.date:
        held_on: dt.date = self.cleaned_data["held_on"]
        return held_on
