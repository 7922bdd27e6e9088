"""Forms for the middle phase's focus of a course (problem areas, goals, formulation, contract): they parse and
type the input; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from iptriad.core.details import details_from
from iptriad.core.limits import NOTE_MAX
from iptriad.core.protocol import ProblemAreaCode, protocol
from iptriad.core.protocol.rules import CONFIRM_DEFICITS
from iptriad.courses.models.middle import Frequency, GoalStatus
from iptriad.courses.services.middle import LARGEST_NUMBER, ContractTerms
from iptriad.web.widgets import DateInput


def _area_choices() -> list[tuple[str, str]]:
    choices = []
    for area in protocol().problem_areas:
        lay = "" if area.lay_name.lower() == area.name.lower() else f" ({area.lay_name})"
        choices.append((area.code.value, f"{area.name}{lay}"))
    return choices


def _stage_choices() -> list[tuple[str, str]]:
    stages = protocol().problem_area(ProblemAreaCode.ROLE_DISPUTE).stages
    return [("", "Not recorded yet"), *((s.stage.value, f"{s.name}: {s.description}") for s in stages)]


def _text(label: str, rows: int = 3, **kwargs: Any) -> forms.CharField:
    # Every text of the middle phase is a note: the columns' limit (iptriad.core.limits).
    return forms.CharField(label=label, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ProblemAreaChooseForm(forms.Form):
    area = forms.ChoiceField(label="Problem area", choices=_area_choices, widget=forms.RadioSelect)
    evidence = _text(
        "Evidence for it",
        rows=4,
        help_text="What links it to the illness: the events and people around the onset, from the timeline and the "
        "inventory.",
    )
    dispute_stage = forms.ChoiceField(
        label="Stage of the dispute (role disputes only)",
        choices=_stage_choices,
        required=False,
        widget=forms.RadioSelect,
    )
    deficits_confirmed = forms.BooleanField(label=CONFIRM_DEFICITS, required=False)
    chosen_on = forms.DateField(label="Chosen on", widget=DateInput(), initial=timezone.localdate)


class ProblemAreaEditForm(forms.Form):
    evidence = _text("Evidence for it", rows=4)
    dispute_stage = forms.ChoiceField(
        label="Stage of the dispute", choices=_stage_choices, required=False, widget=forms.RadioSelect
    )


class ProblemAreaEndForm(forms.Form):
    end_note = _text(
        "Why the focus changed",
        help_text="The renegotiation with the client: what changed and what you agreed.",
    )
    ended_on = forms.DateField(
        label="Ended on", widget=DateInput(), initial=timezone.localdate, required=False, help_text="Empty: today."
    )


class GoalAddForm(forms.Form):
    text = _text("A goal in your own words", rows=2)


class GoalForm(forms.Form):
    text = _text("Goal", rows=2)
    status = forms.ChoiceField(label="Status", choices=GoalStatus.choices, widget=forms.RadioSelect)
    status_note = _text("Note on the status", required=False)


class FormulationForm(forms.Form):
    text = _text(
        "Formulation",
        rows=14,
        help_text="In plain language: the illness, what happened around its onset, the problem area, the number of "
        "sessions and what to expect. The client must agree to it.",
    )
    shared_on = forms.DateField(
        label="Shared with the client on", widget=DateInput(), required=False, help_text="Not in the future."
    )
    agreed_on = forms.DateField(
        label="Agreed by the client on",
        widget=DateInput(),
        required=False,
        help_text="Only after it was shared; you can record both dates at once. If you change the words after the "
        "client agreed, go over them with the client again and record the new date.",
    )


class ContractForm(forms.Form):
    sessions_planned = forms.IntegerField(label="Number of sessions", max_value=LARGEST_NUMBER)
    frequency = forms.ChoiceField(label="How often", choices=Frequency.choices)
    session_minutes = forms.IntegerField(label="Length of a session (minutes)", max_value=LARGEST_NUMBER)
    starts_on = forms.DateField(label="Start date", widget=DateInput(), help_text="The date of the first session.")
    planned_end_on = forms.DateField(
        label="Planned end",
        widget=DateInput(),
        required=False,
        help_text="The date of the last session. Leave it empty to work it out from the start date, the number of "
        "sessions and how often they are.",
    )
    missed_session_rule = _text(
        "If a session is missed", required=False, help_text="What happens when the client misses or cancels a session."
    )
    other_terms = _text(
        "Other terms",
        required=False,
        help_text="Practical rules; and that continuation or maintenance will be discussed at the end.",
    )
    agreed_on = forms.DateField(label="Agreed by the client on", widget=DateInput(), required=False)
    renegotiation_note = _text(
        "What was renegotiated, and why",
        required=False,
        help_text="The client agreed this contract, so any change is a renegotiation: it is kept, dated, with the "
        "contract.",
    )

    def to_terms(self) -> ContractTerms:
        return details_from(ContractTerms, self.cleaned_data)  # the renegotiation note goes beside the terms
