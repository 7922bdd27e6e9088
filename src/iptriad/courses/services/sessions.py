"""Recording and editing the sessions of a course (ipt-protocol.md §3.2, §3.6), with the risk check of §10.2.

A session's number is given here, never by the caller: the highest number of the course plus one, read under a
lock on the course row so two saves cannot take the same number (the unique constraint backs it up). A risk
concern opens a risk alert in the same transaction as the session, so a recorded concern never lacks its alert.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.protocol import protocol
from iptriad.courses.models import Course, CourseSession, ProblemAreaChoice
from iptriad.courses.models.sessions import Attendance, HomeworkReview, RiskCheck
from iptriad.courses.services.course import course_for_change
from iptriad.measures.models import SUMMARY_MAX_LENGTH, RiskAlert
from iptriad.measures.services import occasion_create, risk_alert_open_concern

# The longest concern a risk alert keeps (RiskAlert.summary); a longer one would be cut, so it is refused.
CONCERN_MAX_LENGTH = SUMMARY_MAX_LENGTH

ERROR_DATE_IN_FUTURE = "A session cannot be recorded for a future date."
ERROR_DATE_BEFORE_COURSE = "The session is dated before the course opened ({date}): check the date."
ERROR_DATE_BEFORE_PREVIOUS = (
    "The session is dated before session {number} ({date}): sessions are numbered in date order, so check the date."
)
ERROR_DATE_AFTER_NEXT = (
    "The session is dated after session {number} ({date}): sessions are numbered in date order, so check the date."
)
ERROR_ATTENDANCE = "Choose whether the client attended, cancelled or did not attend."
ERROR_ABSENCE_NOTE = (
    "Say what happened: who cancelled and why, or the follow-up after a missed session (check on the client, "
    "including risk)."
)
ERROR_UNKNOWN_STRATEGY = "Choose strategies of this course's active problem areas only."
ERROR_UNKNOWN_TECHNIQUE = "Choose techniques from the IPT list only."
ERROR_HOMEWORK_REVIEW = "Say how the last between-session task went, or that none was set."
ERROR_RISK_CHECK = "Say whether risk was checked: no current risk, a concern, or not asked this session."
ERROR_CONCERN_REQUIRED = "Describe the concern: it opens a risk alert for this client."
ERROR_CONCERN_TOO_LONG = f"Keep the concern to {CONCERN_MAX_LENGTH} characters; put the rest in the session note."
ERROR_CONCERN_WITHOUT_CHECK = (
    "You described a concern: choose “Concern” as the risk check so a risk alert opens, or clear the description."
)
ERROR_CONCERN_KEPT = (
    "This session recorded a risk concern and opened a risk alert, so its risk check stays as it is. Record the "
    "assessment on the alert instead."
)
ERROR_ALERT_REFUSED = (
    "A risk alert could not be opened for this client, so nothing was saved: only the client's own therapist or a "
    "supervisor can open one. Ask a supervisor to raise the alert now."
)
ERROR_NEXT_IN_PAST = "The next session cannot be in the past: give a date and time from now on."
ERROR_NEXT_BEFORE_COURSE = "The next session is dated before the course opened ({date}): check the date."
ERROR_NEXT_BEFORE_LAST = "The next session is dated before the last session recorded ({date}): check the date."
# Design note: a plan further ahead than this is more likely a typo in the year than a plan.
NEXT_SESSION_MAX_DAYS = 180
ERROR_NEXT_TOO_FAR = f"Plan the next session within {NEXT_SESSION_MAX_DAYS} days."
ERROR_NUMBER_TAKEN = "Another session was recorded at the same moment: check the course's sessions and try again."

# The parts of a session that only an attended session has; a cancelled or missed one keeps none of them.
ATTENDED_ONLY_FIELDS = (
    "mood_since_last",
    "events_linked",
    "strategies",
    "techniques",
    "homework_review",
    "homework_review_note",
    "homework_set",
)
RECORDED_FIELDS = ("held_on", "attendance", *ATTENDED_ONLY_FIELDS, "risk_check", "note")


@dataclass(frozen=True)
class SessionDetails:
    """What the clinician records about one session; the number and the phase are the service's to set."""

    held_on: dt.date
    attendance: str = Attendance.ATTENDED
    mood_since_last: str = ""
    events_linked: str = ""
    strategies: tuple[str, ...] = ()
    techniques: tuple[str, ...] = ()
    homework_review: str = ""
    homework_review_note: str = ""
    homework_set: str = ""
    risk_check: str = ""
    concern: str = ""  # goes to the risk alert, not to the session
    note: str = ""
    next_session_at: dt.datetime | None = None  # goes to the course: when the next session is planned


@dataclass(frozen=True)
class SessionSaved:
    session: CourseSession
    alert: RiskAlert | None = None  # the alert a risk concern opened with this save
    fields: tuple[str, ...] = field(default=())  # the recorded fields that hold something (or changed, on edit)


def strategy_ids_of(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Every strategy id of the given problem areas, each dispute stage's included, in protocol order."""
    return [strategy.id for code in codes for strategy in protocol().problem_area(code).all_strategies]


def _active_area_codes(course: Course) -> list[str]:
    return list(ProblemAreaChoice.objects.filter(course=course, active=True).values_list("area", flat=True))


def _in_order(chosen: tuple[str, ...], known: list[str]) -> list[str]:
    """The chosen ids in the order of the protocol, each once (the page shows them in that order)."""
    wanted = set(chosen)
    return [entry for entry in dict.fromkeys(known) if entry in wanted]


def _check_date(
    errors: dict[str, str],
    held_on: dt.date,
    course: Course,
    previous: CourseSession | None,
    following: CourseSession | None,
) -> None:
    if held_on > timezone.localdate():
        errors["held_on"] = ERROR_DATE_IN_FUTURE
    elif held_on < course.opened_on:
        errors["held_on"] = ERROR_DATE_BEFORE_COURSE.format(date=f"{course.opened_on:%d %B %Y}")
    elif previous is not None and held_on < previous.held_on:
        errors["held_on"] = ERROR_DATE_BEFORE_PREVIOUS.format(
            number=previous.number, date=f"{previous.held_on:%d %B %Y}"
        )
    elif following is not None and held_on > following.held_on:
        errors["held_on"] = ERROR_DATE_AFTER_NEXT.format(number=following.number, date=f"{following.held_on:%d %B %Y}")


def _validated(
    details: SessionDetails,
    *,
    course: Course,
    previous: CourseSession | None,
    following: CourseSession | None,
    existing: CourseSession | None,
) -> dict[str, object]:
    """The values to store, or ValidationError with every problem by field (nothing is written on refusal)."""
    errors: dict[str, str] = {}
    _check_date(errors, details.held_on, course, previous, following)
    if details.attendance not in Attendance.values:
        errors["attendance"] = ERROR_ATTENDANCE
    attended = details.attendance == Attendance.ATTENDED
    values: dict[str, object] = {
        "held_on": details.held_on,
        "attendance": details.attendance,
        "note": details.note.strip(),
        **dict.fromkeys(ATTENDED_ONLY_FIELDS, ""),
        "strategies": [],
        "techniques": [],
    }
    if attended:
        # Strategies of a problem area that has since ended stay valid on the sessions that recorded them.
        allowed_strategies = strategy_ids_of(_active_area_codes(course))
        if existing is not None:
            allowed_strategies += [s for s in existing.strategies if s not in allowed_strategies]
        if set(details.strategies) - set(allowed_strategies):
            errors["strategies"] = ERROR_UNKNOWN_STRATEGY
        technique_ids = [technique.id for technique in protocol().techniques]
        if set(details.techniques) - set(technique_ids):
            errors["techniques"] = ERROR_UNKNOWN_TECHNIQUE
        if details.homework_review not in HomeworkReview.values:
            errors["homework_review"] = ERROR_HOMEWORK_REVIEW
        values.update(
            mood_since_last=details.mood_since_last.strip(),
            events_linked=details.events_linked.strip(),
            strategies=_in_order(details.strategies, allowed_strategies),
            techniques=_in_order(details.techniques, technique_ids),
            homework_review=details.homework_review,
            homework_review_note=details.homework_review_note.strip(),
            homework_set=details.homework_set.strip(),
        )
    elif details.attendance in Attendance.values and not values["note"]:
        errors["note"] = ERROR_ABSENCE_NOTE
    # The risk check applies to a missed session too: a call about a cancellation can raise a concern.
    concern = details.concern.strip()
    already_concern = existing is not None and existing.risk_check == RiskCheck.CONCERN
    if already_concern and details.risk_check != RiskCheck.CONCERN:
        errors["risk_check"] = ERROR_CONCERN_KEPT
    elif details.risk_check not in RiskCheck.values and (attended or details.risk_check):
        errors["risk_check"] = ERROR_RISK_CHECK
    elif details.risk_check == RiskCheck.CONCERN and not already_concern:
        if not concern:
            errors["concern"] = ERROR_CONCERN_REQUIRED
        elif len(concern) > CONCERN_MAX_LENGTH:
            errors["concern"] = ERROR_CONCERN_TOO_LONG
    elif concern and not already_concern:
        errors["concern"] = ERROR_CONCERN_WITHOUT_CHECK
    values["risk_check"] = details.risk_check
    if errors:
        raise ValidationError(errors)
    return values


def _aware(when: dt.datetime) -> dt.datetime:
    """A date and time given without an offset is read in the organisation's time zone (the current one)."""
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def next_session_errors(course: Course, starts_at: dt.datetime, last_held_on: dt.date | None) -> str | None:
    """Why a planned next session cannot be, or None: not in the past, within the course's life (after it opened
    and its last session, while it is open), and not absurdly far ahead."""
    now = timezone.now()
    day = timezone.localdate(starts_at)
    if starts_at < now:
        return ERROR_NEXT_IN_PAST
    if day < course.opened_on:
        return ERROR_NEXT_BEFORE_COURSE.format(date=f"{course.opened_on:%d %B %Y}")
    if last_held_on is not None and day < last_held_on:
        return ERROR_NEXT_BEFORE_LAST.format(date=f"{last_held_on:%d %B %Y}")
    if starts_at > now + dt.timedelta(days=NEXT_SESSION_MAX_DAYS):
        return ERROR_NEXT_TOO_FAR
    return None


def _next_session_after_record(course: Course, details: SessionDetails) -> dt.datetime | None:
    """The course's plan once a session is recorded: the one given with it, else the plan unless it has now been
    held (planned for the day recorded or earlier)."""
    if details.next_session_at is not None:
        return details.next_session_at
    planned = course.next_session_at
    if planned is not None and timezone.localdate(planned) <= details.held_on:
        return None
    return planned


@transaction.atomic
def course_next_session_set(*, actor: Actor, course: Course, starts_at: dt.datetime | None) -> Course:
    """Plan the course's next session (date and time), or clear the plan (None); audited with no content."""
    course = course_for_change(actor, course)
    if starts_at is not None:
        starts_at = _aware(starts_at)
        last = CourseSession.objects.filter(course=course).order_by("-number").values_list("held_on", flat=True)
        error = next_session_errors(course, starts_at, last.first())
        if error is not None:
            raise ValidationError({"next_session_at": error})
    if course.next_session_at == starts_at:
        return course
    course.next_session_at = starts_at
    course.updated_at = timezone.now()
    course.save(update_fields=["next_session_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_NEXT_SESSION_SET,
        obj=course,
        detail={"planned": starts_at is not None},
    )
    return course


def _open_alert(actor: Actor, course: Course, concern: str, session: CourseSession) -> RiskAlert:
    try:
        return risk_alert_open_concern(
            actor=actor,
            client=course.client,
            concern=concern,
            context=course.treatment_context,
            occasion=session.occasion,
        )
    except PermissionDenied as error:
        # Raised inside the transaction: the session written just before is rolled back with it.
        raise ValidationError(ERROR_ALERT_REFUSED) from error


def _touch(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(updated_at=timezone.now())


@transaction.atomic
def course_session_record(*, actor: Actor, course: Course, details: SessionDetails) -> SessionSaved:
    """Record the next session of an open course (any open phase, maintenance sessions included)."""
    course = course_for_change(actor, course)
    last = CourseSession.objects.filter(course=course).order_by("-number").first()
    values = _validated(details, course=course, previous=last, following=None, existing=None)
    if details.next_session_at is not None:
        planned = _aware(details.next_session_at)
        details = dataclasses.replace(details, next_session_at=planned)
        error = next_session_errors(course, planned, details.held_on)
        if error is not None:
            raise ValidationError({"next_session_at": error})
    now = timezone.now()  # one instant for both, so the page can tell a session never changed since
    try:
        with transaction.atomic():
            session = CourseSession.objects.create(
                organisation_id=course.organisation_id,
                course=course,
                occasion=occasion_create(context=course.treatment_context),
                number=(last.number if last is not None else 0) + 1,
                phase=course.phase,
                recorded_by=actor.member(),
                created_at=now,
                updated_at=now,
                **values,
            )
    except IntegrityError as error:
        # The lock makes this unlikely; the unique constraint (course, number) is the last word.
        raise ValidationError(ERROR_NUMBER_TAKEN) from error
    alert = None
    if session.risk_check == RiskCheck.CONCERN:
        alert = _open_alert(actor, course, details.concern.strip(), session)
    _touch(course)
    next_plan = _next_session_after_record(course, details)
    if next_plan != course.next_session_at:
        Course.objects.filter(pk=course.pk).update(next_session_at=next_plan)
        course.next_session_at = next_plan
        audit_record(
            actor=actor,
            action=AuditAction.COURSE_NEXT_SESSION_SET,
            obj=course,
            detail={"planned": next_plan is not None},
        )
    fields = tuple(name for name in RECORDED_FIELDS if getattr(session, name))
    detail: dict[str, object] = {"course": course.pk, "number": session.number, "created": True, "fields": fields}
    if alert is not None:
        detail["risk_alert"] = alert.pk
    audit_record(actor=actor, action=AuditAction.COURSE_SESSION_SAVED, obj=session, detail=detail)
    return SessionSaved(session=session, alert=alert, fields=fields)


@transaction.atomic
def course_session_update(*, actor: Actor, session: CourseSession, details: SessionDetails) -> SessionSaved:
    """Correct a recorded session while the course is open; its number and phase stay as recorded."""
    course = course_for_change(actor, session.course)
    session = CourseSession.objects.select_related("occasion").get(pk=session.pk, course=course)
    siblings = CourseSession.objects.filter(course=course)
    previous = siblings.filter(number__lt=session.number).order_by("-number").first()
    following = siblings.filter(number__gt=session.number).order_by("number").first()
    values = _validated(details, course=course, previous=previous, following=following, existing=session)
    opens_concern = values["risk_check"] == RiskCheck.CONCERN and session.risk_check != RiskCheck.CONCERN
    changed = tuple(name for name in RECORDED_FIELDS if getattr(session, name) != values[name])
    for name, value in values.items():
        setattr(session, name, value)
    session.updated_at = timezone.now()
    session.save(update_fields=[*values, "updated_at"])
    alert = _open_alert(actor, course, details.concern.strip(), session) if opens_concern else None
    _touch(course)
    detail: dict[str, object] = {"course": course.pk, "number": session.number, "created": False, "fields": changed}
    if alert is not None:
        detail["risk_alert"] = alert.pk
    audit_record(actor=actor, action=AuditAction.COURSE_SESSION_SAVED, obj=session, detail=detail)
    return SessionSaved(session=session, alert=alert, fields=changed)
