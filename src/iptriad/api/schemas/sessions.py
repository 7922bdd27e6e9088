"""The sessions of a course. The bodies parse and type; the service (iptriad.courses.services.sessions) decides
what is valid, numbers the session and opens a risk alert for a concern in the same transaction."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from iptriad.api.schemas.common import Code, Concern, InputSchema, Paragraph, one_of, unchanged
from iptriad.api.schemas.courses import SessionOut
from iptriad.api.schemas.stored import StoredSchema
from iptriad.courses.models import CourseSession
from iptriad.courses.models.sessions import Attendance, HomeworkReview, RiskCheck
from iptriad.courses.services.sessions import CONCERN_MAX_LENGTH

ATTENDANCES = Attendance.values
HOMEWORK_REVIEWS = ["", *HomeworkReview.values]
RISK_CHECKS = ["", *RiskCheck.values]
CHOICES_MAX = 100  # strategy or technique ids in one session: far more than the protocol has

CodeList = list[Code]


class SessionIn(InputSchema):
    """A session as the session form records it; its number and phase are the service's to set."""

    held_on: dt.date = Field(description="Not in the future, nor before the course opened or the previous session.")
    attendance: Code = one_of(ATTENDANCES, Attendance.ATTENDED.value, "A cancelled or missed session needs a note.")
    mood_since_last: Paragraph = ""
    events_linked: Paragraph = ""
    strategies: CodeList = Field(
        default_factory=list,
        max_length=CHOICES_MAX,
        description="Strategy ids of the course's active problem areas (GET /courses/{id} and the protocol).",
    )
    techniques: CodeList = Field(default_factory=list, max_length=CHOICES_MAX, description="Technique ids of IPT.")
    homework_review: Code = one_of(HOMEWORK_REVIEWS, "", "Required for an attended session.")
    homework_review_note: Paragraph = ""
    homework_set: Paragraph = ""
    risk_check: Code = one_of(RISK_CHECKS, "", "Required for an attended session; concern opens a risk alert.")
    concern: Concern = Field(
        "",
        description=f"With risk_check concern: what was said or seen ({CONCERN_MAX_LENGTH} characters); it goes to "
        "the risk alert, not to the session.",
    )
    note: Paragraph = ""
    next_session_at: dt.datetime | None = Field(
        None,
        description="When the next session is planned (ISO 8601 with offset; without one, the organisation's "
        "time zone). Not in the past; self-report links due at it are sent before it to clients who consented.",
    )


class SessionPatch(InputSchema):
    """Only the fields sent change; the session is then checked whole, as on the edit form. A concern once recorded
    stays (its alert is open or closed on its own)."""

    held_on: dt.date = unchanged()
    attendance: Code = one_of(ATTENDANCES, None)
    mood_since_last: Paragraph = unchanged()
    events_linked: Paragraph = unchanged()
    strategies: CodeList = unchanged(max_length=CHOICES_MAX)
    techniques: CodeList = unchanged(max_length=CHOICES_MAX)
    homework_review: Code = one_of(HOMEWORK_REVIEWS, None)
    homework_review_note: Paragraph = unchanged()
    homework_set: Paragraph = unchanged()
    risk_check: Code = one_of(RISK_CHECKS, None)
    concern: Concern = unchanged("Only when this change makes risk_check a concern.")
    note: Paragraph = unchanged()


class SessionItemOut(SessionOut):
    course_id: int


class SessionSavedOut(SessionItemOut):
    alert_id: int | None = Field(description="The risk alert a concern opened with this save, else null.")


class SessionSummaryOut(StoredSchema):
    """A session in the course's list, without its free text (read one session for it)."""

    strategies: list[str]
    techniques: list[str]

    class Meta:
        model = CourseSession
        fields = [
            "id",
            "number",
            "held_on",
            "phase",
            "attendance",
            "strategies",
            "techniques",
            "homework_review",
            "risk_check",
            "recorded_by_id",
            "created_at",
            "updated_at",
        ]
