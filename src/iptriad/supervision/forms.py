"""The forms of the supervision log: a meeting with its cases and actions (one form, one transaction), and an action's
follow-up. The cases are chosen beforehand (the picker on the same page) and arrive as one hidden list of ids; each
gets its own two text boxes. Rows of actions left blank are ignored; a row begun must be finished."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.core.limits import NOTE_MAX
from iptriad.supervision.models import SupervisionFormat
from iptriad.supervision.services import ActionNote, CaseNote, EntryDetails
from iptriad.web.pages import id_from_text
from iptriad.web.widgets import DateInput

ACTION_ROWS = 4  # new actions per save; more are added by editing the entry
MEETING = ""  # an action's case choice for "the meeting as a whole"


@dataclass(frozen=True)
class CaseChoice:
    """A case on the form: its context and what the page shows of it."""

    context_id: int
    label: str
    url_name: str
    record_id: int


def ids_from_text(raw: str | None, limit: int = 50) -> list[int]:
    """A comma-separated list of ids (the chosen cases), in order, each once; anything else is dropped."""
    ids: list[int] = []
    for part in (raw or "").split(",")[:limit]:
        value = id_from_text(part.strip())
        if value is not None and value not in ids:
            ids.append(value)
    return ids


class EntryForm(forms.Form):
    held_on = forms.DateField(label="Date of the meeting", widget=DateInput())
    format = forms.ChoiceField(label="Kind of meeting", choices=SupervisionFormat.choices)
    attendees = forms.MultipleChoiceField(label="Who attended", widget=forms.CheckboxSelectMultiple, required=False)
    note = forms.CharField(
        label="Note on the meeting", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=NOTE_MAX
    )
    cases = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, people: Sequence[User], cases: Sequence[CaseChoice], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.case_choices = list(cases)
        people_choices = [(str(user.pk), user.full_name) for user in people]
        attendees = self.fields["attendees"]
        assert isinstance(attendees, forms.MultipleChoiceField)  # noqa: S101  (declared above)
        attendees.choices = people_choices
        self.fields["held_on"].initial = self.fields["held_on"].initial or timezone.localdate()
        self.fields["cases"].initial = ",".join(str(case.context_id) for case in self.case_choices)
        for case in self.case_choices:
            prefix = f"case_{case.context_id}"
            self.fields[f"{prefix}_discussion"] = forms.CharField(
                label=f"What was discussed: {case.label}",
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
                max_length=NOTE_MAX,
            )
            self.fields[f"{prefix}_risk_decision"] = forms.CharField(
                label=f"Risk decision: {case.label}",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=NOTE_MAX,
            )
        case_options = [(MEETING, "The meeting as a whole"), *((str(c.context_id), c.label) for c in self.case_choices)]
        owners = [("", "Choose who"), *people_choices]
        for row in range(ACTION_ROWS):
            prefix = f"action_{row}"
            self.fields[f"{prefix}_text"] = forms.CharField(
                label=f"Action {row + 1}", required=False, max_length=NOTE_MAX
            )
            self.fields[f"{prefix}_owner"] = forms.ChoiceField(
                label=f"Action {row + 1}: who", choices=owners, required=False
            )
            self.fields[f"{prefix}_due_on"] = forms.DateField(
                label=f"Action {row + 1}: due", required=False, widget=DateInput()
            )
            self.fields[f"{prefix}_case"] = forms.ChoiceField(
                label=f"Action {row + 1}: for", choices=case_options, required=False
            )

    def case_rows(self) -> list[tuple[CaseChoice, forms.BoundField, forms.BoundField]]:
        return [
            (case, self[f"case_{case.context_id}_discussion"], self[f"case_{case.context_id}_risk_decision"])
            for case in self.case_choices
        ]

    def action_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"action_{row}_{name}"] for name in ("text", "owner", "due_on", "case")] for row in range(ACTION_ROWS)
        ]

    def details(self) -> EntryDetails:
        data = self.cleaned_data
        actions = []
        for row in range(ACTION_ROWS):
            prefix = f"action_{row}"
            text, owner = data.get(f"{prefix}_text", ""), data.get(f"{prefix}_owner", "")
            due_on, case = data.get(f"{prefix}_due_on"), data.get(f"{prefix}_case", MEETING)
            if not (text or owner or due_on):
                continue  # an untouched row
            actions.append(
                ActionNote(
                    key=str(row),
                    text=text,
                    owner_id=id_from_text(owner),
                    due_on=due_on,
                    context_id=id_from_text(case) if case != MEETING else None,
                )
            )
        return EntryDetails(
            held_on=data["held_on"],
            format=data["format"],
            attendee_ids=[int(pk) for pk in data["attendees"]],
            note=data.get("note", ""),
            cases=[
                CaseNote(
                    context_id=case.context_id,
                    discussion=data.get(f"case_{case.context_id}_discussion", ""),
                    risk_decision=data.get(f"case_{case.context_id}_risk_decision", ""),
                )
                for case in self.case_choices
            ],
            actions=actions,
        )


class ActionDoneForm(forms.Form):
    done_on = forms.DateField(label="Done on", widget=DateInput(), initial=timezone.localdate)
    follow_up = forms.CharField(
        label="Follow-up: what was done", widget=forms.Textarea(attrs={"rows": 3}), max_length=NOTE_MAX
    )
