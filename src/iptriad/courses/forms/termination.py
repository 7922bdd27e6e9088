"""Forms for the termination phase of a course: they parse and type the input; the services decide what is valid.

Required fields carry the services' own messages, so a page and the service say the same thing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from iptriad.core.details import details_from
from iptriad.core.limits import NOTE_MAX
from iptriad.courses.models.middle import GoalStatus
from iptriad.courses.models.termination import NextStep
from iptriad.courses.services.termination import (
    ERROR_EMERGENCY_CONTACTS,
    ERROR_GOAL_STATUS,
    ERROR_IF_SYMPTOMS_RETURN,
    ERROR_MAINTENANCE_FREQUENCY,
    ERROR_MAINTENANCE_SESSIONS,
    ERROR_MAINTENANCE_START_REQUIRED,
    ERROR_NEXT_STEP_UNKNOWN,
    ERROR_PEOPLE,
    ERROR_PROGRESS_REQUIRED,
    ERROR_REVIEW_DATE_REQUIRED,
    ERROR_WARNING_SIGNS,
    ERROR_WHAT_HELPS,
    MAINTENANCE_FREQUENCIES,
    TEXT_MAX,
    MaintenancePlanDetails,
    RelapsePreventionPlanDetails,
    TerminationReviewDetails,
)
from iptriad.web.widgets import DateInput


def _text(label: str, *, required: bool = False, message: str = "", help_text: str = "", rows: int = 3) -> Any:
    error_messages = {"required": message} if message else {}
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        error_messages=error_messages,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class TerminationReviewForm(forms.Form):
    progress_summary = _text(
        "Progress",
        required=True,
        message=ERROR_PROGRESS_REQUIRED,
        help_text="The symptoms now compared with the start, and what changed in the problem area.",
    )
    why_better = _text(
        "Why the client feels better",
        help_text="Ask the client why; credit their own efforts, not the therapist.",
    )
    skills_gained = _text("Interpersonal skills gained", help_text="Name them with the client.")
    feelings_about_ending = _text(
        "Feelings about ending",
        help_text="Ending is itself a role transition: sadness about it is normal and is not a relapse.",
    )
    next_step = forms.ChoiceField(
        label="Next step",
        required=False,
        choices=[("", "Not decided yet"), *NextStep.choices],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": ERROR_NEXT_STEP_UNKNOWN},
    )
    next_step_detail = _text(
        "About the next step",
        help_text="For a referral: where to and for what. For continuation or maintenance: what was agreed.",
    )
    reviewed_on = forms.DateField(
        label="Reviewed on",
        widget=DateInput(),
        initial=timezone.localdate,
        error_messages={"required": ERROR_REVIEW_DATE_REQUIRED},
    )

    def to_details(self) -> TerminationReviewDetails:
        return details_from(TerminationReviewDetails, self.cleaned_data)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=GoalStatus.choices,
        error_messages={"required": ERROR_GOAL_STATUS, "invalid_choice": ERROR_GOAL_STATUS},
    )
    status_note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,  # a goal's note, written in the middle phase too
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RelapsePreventionPlanForm(forms.Form):
    warning_signs = _text(
        "Early warning signs",
        required=True,
        message=ERROR_WARNING_SIGNS,
        help_text="What the client notices first when the depression may be coming back: in their own words.",
    )
    what_helps = _text("What helps to keep well", required=True, message=ERROR_WHAT_HELPS)
    people_to_turn_to = _text("People to turn to", required=True, message=ERROR_PEOPLE)
    if_symptoms_return = _text(
        "What to do if the symptoms come back",
        required=True,
        message=ERROR_IF_SYMPTOMS_RETURN,
        help_text="Whom to contact and how soon: the therapist, the family doctor, the service.",
    )
    emergency_contacts = _text(
        "Emergency contacts",
        required=True,
        message=ERROR_EMERGENCY_CONTACTS,
        help_text="Filled in from the organisation's crisis contacts: add local numbers.",
    )
    agreed_on = forms.DateField(
        label="Agreed with the client on",
        required=False,
        widget=DateInput(),
        help_text="Leave empty until the client has agreed the plan.",
    )

    def to_details(self) -> RelapsePreventionPlanDetails:
        return details_from(RelapsePreventionPlanDetails, self.cleaned_data)


class MaintenancePlanForm(forms.Form):
    frequency = forms.ChoiceField(
        label="How often",
        choices=[(value.value, value.label) for value in MAINTENANCE_FREQUENCIES],
        widget=forms.RadioSelect,
        error_messages={"required": ERROR_MAINTENANCE_FREQUENCY, "invalid_choice": ERROR_MAINTENANCE_FREQUENCY},
    )
    sessions_planned = forms.IntegerField(
        label="Sessions planned",
        error_messages={"required": ERROR_MAINTENANCE_SESSIONS, "invalid": ERROR_MAINTENANCE_SESSIONS},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    starts_on = forms.DateField(
        label="Starts on", widget=DateInput(), error_messages={"required": ERROR_MAINTENANCE_START_REQUIRED}
    )
    notes = _text("Notes")

    def to_details(self) -> MaintenancePlanDetails:
        return details_from(MaintenancePlanDetails, self.cleaned_data)
