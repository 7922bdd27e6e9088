"""What a group session holds in each phase, in iptriad's words, for facilitators without clinical training.

Drawn from ipt-protocol.md §7.2 and programmes.md §1 (the WHO manual's text is not reproduced). Each step says
what to do, in plain words; the risk step is the same in every phase.
"""

from __future__ import annotations

from dataclasses import dataclass

from iptriad.core.protocol import Phase


@dataclass(frozen=True)
class PhaseGuide:
    title: str
    steps: tuple[str, ...]
    source: str


RISK_STEP = (
    "If anyone says they have thought of hurting themselves or ending their life, or you are worried about them: "
    "tick 'worried' on their row, stay with them after the group, and iptriad tells the supervising clinician at "
    "once. Do not promise to keep it secret."
)

PRE_GROUP_GUIDE = PhaseGuide(
    title="Pre-group meeting (one to one)",
    steps=(
        "Go through the symptom questions with the person (the screening questionnaire) and write down their answers.",
        "Ask when the low mood started, and what was happening with the people in their life at that time.",
        "Together, name the problem area they will work on: grief, disputes, life changes, or loneliness.",
        "Agree one personal goal in their own words.",
        "Ask the safety questions. If they have a plan to end their life, or tried in the last 3 months, they do not "
        "join the group now: record the referral, and iptriad tells the supervising clinician.",
        "Explain how the group works, that it can help, and ask whether they agree to join.",
    ),
    source="ipt-protocol.md §7.2 [S22a][S22b], §7.4 [S22c]; programmes.md §1",
)

PHASE_GUIDES: dict[Phase, PhaseGuide] = {
    Phase.INITIAL: PhaseGuide(
        title="Beginning of the group",
        steps=(
            "Welcome everyone; members introduce themselves.",
            "Agree the group's rules together, including keeping what is said in the group private.",
            "Talk in general about depression: it is common, it has a name, and it can get better.",
            "Each member shares their symptoms and what set them off, and the problem area they will work on.",
            "Each member says their goal for the group. Give hope: explain how the group helps.",
            "Do the symptom check with each member present.",
            RISK_STEP,
        ),
        source="ipt-protocol.md §7.2 [S22a][S22b]; programmes.md §1",
    ),
    Phase.MIDDLE: PhaseGuide(
        title="Middle of the group",
        steps=(
            "Do the symptom check with each member present: how was the past week?",
            "Link how each member felt to what happened with people in their life this week.",
            "Members suggest options to each other for their problems; weigh them up together.",
            "Practise a difficult conversation by role play when it helps.",
            "Each member chooses something to try before the next session; ask how last week's went.",
            "Encourage members to care for and support each other.",
            RISK_STEP,
        ),
        source="ipt-protocol.md §7.2 [S22a][S22b], §7.2 [S20c]; programmes.md §1",
    ),
    Phase.TERMINATION: PhaseGuide(
        title="Ending the group",
        steps=(
            "Do the symptom check with every member present: this is their end-of-group rating.",
            "Each member says what changed in their problem area and what they learned.",
            "Each member names their warning signs and what they will do if the signs come back: record it as their "
            "plan.",
            "Celebrate what the group achieved and say goodbye.",
            "If a member's symptoms have not improved, tell the supervising clinician so they can be offered more "
            "help.",
            RISK_STEP,
        ),
        source="ipt-protocol.md §7.2 [S22a][S22b]; programmes.md §1",
    ),
}
