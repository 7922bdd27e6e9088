"""The forms of the fidelity pages: a checklist's answers, a programme's form, the sampling rule."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from iptriad.accounts.models import User
from iptriad.core.fidelity import ANSWER_LABELS, Checklist, ChecklistItem
from iptriad.core.limits import NOTE_MAX
from iptriad.fidelity.models import NAME_MAX
from iptriad.fidelity.services.forms import ITEM_TEXT_MAX, ITEMS_MAX
from iptriad.fidelity.services.sampling import ERROR_ONE_IN, ONE_IN_MAX, ONE_IN_MIN

ANSWER_CHOICES = [(answer.value, label) for answer, label in ANSWER_LABELS.items()]


class RatingForm(forms.Form):
    """One radio group per checklist item (named by position: item keys hold dots) and a note."""

    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What went well, what to work on. Kept encrypted.",
    )

    def __init__(
        self, *args: Any, checklist: Checklist, initial_answers: Mapping[str, str] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.checklist = checklist
        for index, item in enumerate(checklist.items):
            self.fields[f"item_{index}"] = forms.ChoiceField(
                label=item.text,
                choices=ANSWER_CHOICES,
                widget=forms.RadioSelect,
                initial=(initial_answers or {}).get(item.key),
                error_messages={"required": "Choose an answer for this item."},
            )
        self.order_fields([*(f"item_{index}" for index in range(len(checklist.items))), "note"])

    def sections(self) -> list[tuple[str, list[tuple[ChecklistItem, forms.BoundField]]]]:
        grouped: dict[str, list[tuple[ChecklistItem, forms.BoundField]]] = {}
        for index, item in enumerate(self.checklist.items):
            grouped.setdefault(item.section, []).append((item, self[f"item_{index}"]))
        return list(grouped.items())

    def answers(self) -> dict[str, str]:
        return {item.key: self.cleaned_data[f"item_{index}"] for index, item in enumerate(self.checklist.items)}


class FidelityFormForm(forms.Form):
    """A programme's own form for one session type (the page shows one per type): its name and items, one a line."""

    name = forms.CharField(label="Name of the form", max_length=NAME_MAX)
    items = forms.CharField(
        label="Items, one a line",
        max_length=ITEMS_MAX * (ITEM_TEXT_MAX + 1),  # the service counts the items and measures each
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"At most {ITEMS_MAX} items of {ITEM_TEXT_MAX} characters. Each is answered Done, Partly, Not done "
        "or Not applicable. Saving makes a new version; ratings already made keep the version they used.",
    )

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class SamplingForm(forms.Form):
    clinician: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        label="Whose sessions",
        queryset=None,  # the organisation's people, given when the form is made
        required=False,
        empty_label="Everyone (the organisation's default)",
    )
    one_in = forms.IntegerField(
        label="Rate one in every ... sessions",
        required=False,  # not when the person's own rule is removed
        min_value=ONE_IN_MIN,
        max_value=ONE_IN_MAX,
        help_text="1 rates every session. Sessions self-rated low join the queue whatever this says.",
    )

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["clinician"])  # type: ignore[type-arg]
        field.queryset = people
        self.removing = "remove" in self.data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.removing and cleaned.get("clinician") is None and "clinician" not in self.errors:
            self.add_error("clinician", "Choose the person whose own rule goes.")
        if not self.removing and cleaned.get("one_in") is None and "one_in" not in self.errors:
            self.add_error("one_in", ERROR_ONE_IN)
        return cleaned
