"""The forms about one member of a group: the pre-group meeting and the decision, clearing a held member, leaving,
the warning-signs plan, a referral's follow-up and an outreach call (the pages are iptriad.groups.views.members)."""

from __future__ import annotations

from typing import Any

from django import forms

from iptriad.core.groups import DROPOUT_REASONS, NOT_JOINING_REASONS
from iptriad.core.limits import NOTE_MAX
from iptriad.groups.models import NAME_MAX, PROBLEM_AREA_CHOICES, SHORT_NOTE_MAX, OutreachOutcome
from iptriad.groups.services.members import PreGroupDetails
from iptriad.measures.forms import QuestionnaireForm
from iptriad.web.widgets import DateInput

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(label: str, limit: int, *, required: bool = True, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
    )


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


# --- 2. The pre-group meeting -----------------------------------------------------------------------------------


class PreGroupForm(QuestionnaireForm):
    """The meeting's date, the screening questionnaire item by item, the problem area, the goal and the risk screen."""

    held_on = forms.DateField(label="Date of the meeting", widget=DateInput())
    parent_meeting_on = forms.DateField(label="Date of the meeting with a parent", widget=DateInput(), required=False)
    problem_area = forms.ChoiceField(
        label="Problem area they will work on", choices=PROBLEM_AREA_CHOICES, widget=forms.RadioSelect
    )
    goal = _text("Their personal goal, in their own words", SHORT_NOTE_MAX, rows=2)
    note = _text(
        "Note",
        NOTE_MAX,
        required=False,
        rows=4,
        help_text="When the low mood started, the people in their life, anything the clinician should know.",
    )
    suicide_plan = forms.ChoiceField(
        label="Do they have a plan to end their life now?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer this safety question."},
    )
    recent_attempt = forms.ChoiceField(
        label="Have they tried to end their life in the last 3 months?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": "Answer this safety question."},
    )

    def __init__(self, *args: Any, with_parent: bool, **kwargs: Any) -> None:
        super().__init__(*args, clinician=False, **kwargs)
        if not with_parent:
            del self.fields["parent_meeting_on"]

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.number}"] for item in self.definition.items]

    def details(self) -> PreGroupDetails:
        data = self.cleaned_data
        return PreGroupDetails(
            held_on=data["held_on"],
            screening_answers=self.answers(),
            problem_area=data["problem_area"],
            goal=data["goal"],
            note=data["note"],
            suicide_plan=_yes_no(data["suicide_plan"]),
            recent_attempt=_yes_no(data["recent_attempt"]),
            parent_meeting_on=data.get("parent_meeting_on"),
        )


# --- 3. The decision --------------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    joins = forms.ChoiceField(
        label="Do they join the group?",
        choices=[("yes", "Yes, they join"), ("no", "No, they do not join")],
        widget=forms.RadioSelect,
    )
    consent_on = forms.DateField(
        label="Date they agreed to join", required=False, widget=DateInput(), help_text="Only when they join."
    )
    reason_code = forms.ChoiceField(label="Why they do not join", required=False, widget=forms.RadioSelect)
    referred_to = forms.CharField(
        label="Referred to",
        max_length=NAME_MAX,
        required=False,
        help_text="Who will see them instead (a clinician, a clinic): only when the reason refers them.",
    )
    detail = _text("Detail", NOTE_MAX, required=False)

    def __init__(self, *args: Any, must_refer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reasons = [reason for reason in NOT_JOINING_REASONS if reason.refer or not must_refer]
        self.fields["reason_code"].choices = [(reason.code, reason.label) for reason in reasons]  # type: ignore[attr-defined]
        if must_refer:
            self.fields["joins"].choices = [("no", "No, they do not join")]  # type: ignore[attr-defined]


# --- 4. Clearing a held member ----------------------------------------------------------------------------------


class ClearForm(forms.Form):
    note = _text(
        "What you decided", NOTE_MAX, help_text="For the facilitator and the record: what happens now for the member."
    )


# --- 5. Leaving -------------------------------------------------------------------------------------------------


class DropForm(forms.Form):
    reason_code = forms.ChoiceField(
        label="Why they left",
        choices=[(reason.code, reason.label) for reason in DROPOUT_REASONS],
        widget=forms.RadioSelect,
    )
    left_on = forms.DateField(
        label="Date they left", required=False, widget=DateInput(), help_text="Leave empty for today."
    )
    note = _text("Note", NOTE_MAX, required=False)


# --- 6. The warning-signs plan ----------------------------------------------------------------------------------


class PlanForm(forms.Form):
    warning_signs = _text("Their warning signs", NOTE_MAX, help_text="What tells them the low mood is coming back.")
    plan = _text("Their plan", NOTE_MAX, help_text="What they will do, and who they will turn to, if the signs come.")


# --- 7. A referral's follow-up ----------------------------------------------------------------------------------


class FollowUpForm(forms.Form):
    follow_up = _text("What happened after the referral", NOTE_MAX)


# --- 8. An outreach call ----------------------------------------------------------------------------------------


class OutreachForm(forms.Form):
    outcome = forms.ChoiceField(label="What came of it", choices=OutreachOutcome.choices, widget=forms.RadioSelect)
    note = _text("Note", SHORT_NOTE_MAX, required=False, rows=2)
