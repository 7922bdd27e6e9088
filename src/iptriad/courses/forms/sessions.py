"""The session form: attendance, the opener, strategies and techniques, homework, the risk check and a note.

The rules that depend on the course (which strategies, the dates, what a missed session needs) are the
service's; the form offers the choices and turns the answers into a SessionDetails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.boundfield import BoundField, BoundWidget
from django.utils import timezone

from iptriad.core.details import details_from
from iptriad.core.limits import NOTE_MAX
from iptriad.core.protocol import protocol
from iptriad.courses.models import CourseSession
from iptriad.courses.models.sessions import Attendance, HomeworkReview, RiskCheck
from iptriad.courses.selectors.sessions import StrategyGroup
from iptriad.courses.services.sessions import CONCERN_MAX_LENGTH, RECORDED_FIELDS, SessionDetails
from iptriad.web.widgets import DateInput, DateTimeInput

NEXT_SESSION_HELP = (
    "Date and time, if agreed. Self-report questionnaires due at that session are sent to the client before it "
    "when they agreed to messages."
)


class NextSessionForm(forms.Form):
    next_session_at = forms.DateTimeField(
        label="Next session", required=False, widget=DateTimeInput(), help_text=NEXT_SESSION_HELP
    )


def _text(label: str, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        max_length=NOTE_MAX,  # every text of a session is a note: the columns' limit (iptriad.core.limits)
        widget=forms.Textarea(attrs={"rows": rows}),
    )


@dataclass(frozen=True)
class BoundGroup:
    """One problem area's strategy checkboxes, for a fieldset of their own."""

    area: str
    options: tuple[BoundWidget, ...]


class CourseSessionForm(forms.Form):
    held_on = forms.DateField(label="Date of the session", widget=DateInput(), initial=timezone.localdate)
    attendance = forms.ChoiceField(
        label="Attendance",
        choices=Attendance.choices,
        initial=Attendance.ATTENDED,
        widget=forms.RadioSelect,
        help_text="For a cancelled or missed session only the date, the risk check and a note are kept.",
    )
    mood_since_last = _text("How things have been since last time", help_text="The opener: mood and events.")
    events_linked = _text(
        "Mood linked to interpersonal events", help_text="Which events, and how mood and events affected each other."
    )
    strategies = forms.MultipleChoiceField(
        label="Problem-area strategies worked on", required=False, widget=forms.CheckboxSelectMultiple
    )
    techniques = forms.MultipleChoiceField(label="Techniques used", required=False, widget=forms.CheckboxSelectMultiple)
    homework_review = forms.ChoiceField(
        label="The last between-session task",
        choices=HomeworkReview.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    homework_review_note = _text("What happened with the task")
    homework_set = _text("Between-session task agreed for next time")
    risk_check = forms.ChoiceField(
        label="Risk check", choices=RiskCheck.choices, required=False, widget=forms.RadioSelect
    )
    concern = forms.CharField(
        label="The concern",
        required=False,
        max_length=CONCERN_MAX_LENGTH,
        help_text="Needed for a concern: it opens a risk alert for this client. Say what was said or seen.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = _text("Session note", rows=5)
    next_session_at = forms.DateTimeField(
        label="Next session", required=False, widget=DateTimeInput(), help_text=NEXT_SESSION_HELP
    )

    def __init__(
        self,
        *args: Any,
        strategy_groups: Sequence[StrategyGroup],
        session: CourseSession | None = None,
        **kwargs: Any,
    ) -> None:
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(session, name) for name in RECORDED_FIELDS}
        super().__init__(*args, **kwargs)
        self.strategy_groups = tuple(strategy_groups)
        self.fields["strategies"].choices = [  # type: ignore[attr-defined]
            choice for group in self.strategy_groups for choice in group.choices
        ]
        self.fields["techniques"].choices = [  # type: ignore[attr-defined]
            (technique.id, technique.name) for technique in protocol().techniques
        ]
        # A concern already recorded has its alert: the description is not asked for again.
        self.concern_recorded = session is not None and session.risk_check == RiskCheck.CONCERN
        if self.concern_recorded:
            del self.fields["concern"]
        if session is not None:
            del self.fields["next_session_at"]  # planned when a session is recorded, or on the course page

    def bound_strategy_groups(self) -> tuple[BoundGroup, ...]:
        field: BoundField = self["strategies"]
        by_value = {str(option.data["value"]): option for option in field}
        return tuple(
            BoundGroup(group.area, tuple(by_value[strategy_id] for strategy_id, _ in group.choices))
            for group in self.strategy_groups
        )

    def to_details(self) -> SessionDetails:
        # A concern recorded earlier has no field here: the details keep their empty concern.
        data = self.cleaned_data
        return details_from(
            SessionDetails, data, strategies=tuple(data["strategies"]), techniques=tuple(data["techniques"])
        )
