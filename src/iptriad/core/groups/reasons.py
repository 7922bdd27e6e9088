"""Coded reasons: why a person does not join a group, why a member leaves, why a member is referred.

They are programme codes for counting, not diagnoses; each says where it comes from.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CodedReason:
    code: str
    label: str
    refer: bool = False  # the decision must log a referral to a clinician
    source: str = "Design note"


NOT_JOINING_REASONS: tuple[CodedReason, ...] = (
    CodedReason(
        "suicide_plan",
        "Current suicide plan: referred to a clinician instead",
        refer=True,
        source="ipt-protocol.md §7.4 [S22c][S24b]",
    ),
    CodedReason(
        "recent_attempt",
        "Suicide attempt in the last 3 months: referred to a clinician instead",
        refer=True,
        source="ipt-protocol.md §7.4 [S22c]",
    ),
    CodedReason(
        "needs_other_care",
        "Needs more help than a group gives: referred to a clinician",
        refer=True,
        source="ipt-protocol.md §7.4 [S24b] (acute severe stress)",
    ),
    CodedReason("below_entry", "Symptoms below the programme's entry level"),
    CodedReason("declined", "Chose not to join"),
    CodedReason("cannot_attend", "Cannot come at the group's times or place"),
    CodedReason("other", "Other reason"),
)

DROPOUT_REASONS: tuple[CodedReason, ...] = (
    CodedReason("moved", "Moved away"),
    CodedReason("not_interested", "No longer wants to come"),
    CodedReason("cannot_attend", "Cannot come at the group's times or place"),
    CodedReason("feels_better", "Feels better"),
    CodedReason("family", "Family or partner did not agree"),
    CodedReason("health", "Physical illness"),
    CodedReason("referred", "Referred to other care", refer=True),
    CodedReason("not_reached", "Could not be reached"),
    CodedReason("other", "Other reason"),
)

REFERRAL_REASONS: tuple[CodedReason, ...] = (
    CodedReason("suicide_plan", "Current suicide plan", source="ipt-protocol.md §7.4 [S22c]"),
    CodedReason("recent_attempt", "Suicide attempt in the last 3 months", source="ipt-protocol.md §7.4 [S22c]"),
    CodedReason("self_harm_answer", "Thoughts of self-harm on the symptom check", source="ipt-protocol.md §7.4"),
    CodedReason("facilitator_concern", "The facilitator's concern"),
    CodedReason(
        "persisting_symptoms",
        "Symptoms persist at the end of the group",
        source="ipt-protocol.md §7.2 [S22a][S22b]",
    ),
    CodedReason("needs_other_care", "Needs more help than a group gives", source="ipt-protocol.md §7.4 [S24b]"),
    CodedReason("other", "Other reason"),
)


def reason(reasons: tuple[CodedReason, ...], code: str) -> CodedReason:
    for coded in reasons:
        if coded.code == code:
            return coded
    raise KeyError(code)
