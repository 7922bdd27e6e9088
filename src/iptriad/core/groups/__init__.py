"""Group IPT as data and rules, pure Python: the formats programmes run (sessions, phases, pre-group meetings), what
each phase's session holds (in iptriad's words), the coded reasons a person does not join or leaves, and the
attendance rules (outreach after two missed sessions in a row, reached, completed).

Facts carry their source (a section of ipt-protocol.md or programmes.md, a tag); software choices say so
("Design note"). The WHO manual's own text is not reproduced: it is (c) WHO.
"""

from iptriad.core.groups.attendance import (
    ATTENDED,
    Attendance,
    attended_count,
    completed,
    missed_in_a_row,
    needs_outreach,
    reached,
)
from iptriad.core.groups.formats import (
    FORMATS,
    GroupFormat,
    PreGroupMeeting,
    format_by_code,
    phase_of_session,
)
from iptriad.core.groups.guide import PHASE_GUIDES, PRE_GROUP_GUIDE, PhaseGuide
from iptriad.core.groups.reasons import DROPOUT_REASONS, NOT_JOINING_REASONS, REFERRAL_REASONS, CodedReason

__all__ = [
    "ATTENDED",
    "DROPOUT_REASONS",
    "FORMATS",
    "NOT_JOINING_REASONS",
    "PHASE_GUIDES",
    "PRE_GROUP_GUIDE",
    "REFERRAL_REASONS",
    "Attendance",
    "CodedReason",
    "GroupFormat",
    "PhaseGuide",
    "PreGroupMeeting",
    "attended_count",
    "completed",
    "format_by_code",
    "missed_in_a_row",
    "needs_outreach",
    "phase_of_session",
    "reached",
]
