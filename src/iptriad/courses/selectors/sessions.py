"""Reads for the sessions of a course and the session guide beside the form, scoped by the course policy.

Counting sessions (Design note; the reference is silent on missed sessions): a session's *number* counts every
recorded session, cancelled and missed ones too, so numbers never repeat or shift; the contract and the
measures count *attended* sessions ("session 5 of 12" is the fifth session held), as the course page does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.text import Truncator

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.protocol import CourseSnapshot, Entry, SessionGuide, protocol, session_guide
from iptriad.courses.models import Course, CourseSession, Formulation, Goal, ProblemAreaChoice
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.course import course_get
from iptriad.courses.selectors.measures import of_course, sessions_held
from iptriad.courses.snapshot import course_facts, course_snapshot
from iptriad.measures.due import DueMeasure, due_at_next_session
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert

FORMULATION_EXCERPT_WORDS = 80
# The section's table needs none of a session's free text, so it is left in the database.
TEXT_FIELDS = ("mood_since_last", "events_linked", "homework_review_note", "homework_set", "note")


def course_for_sessions(*, actor: Actor, course_id: int) -> Course:
    """The course to record a session in (404 if the actor may not change it); the view is audited."""
    course = course_get(actor=actor, course_id=course_id, action=Action.UPDATE)
    audit_record(actor=actor, action=AuditAction.COURSE_VIEWED, obj=course, detail={"client": course.client_id})
    return course


def course_session_get(*, actor: Actor, session_id: int, action: Action = Action.UPDATE) -> CourseSession:
    """A session the actor may act on, with its course and client; another's or a missing one is a 404."""
    scoped = course_policy.scope_records(
        actor, action, CourseSession.objects.select_related("course", "course__client", "recorded_by")
    )
    return get_object_or_404(scoped, pk=session_id)


def course_session_get_for_view(*, actor: Actor, session_id: int, action: Action = Action.VIEW) -> CourseSession:
    """The session as course_session_get, and the reading of it audited (the page shows its clinical text)."""
    session = course_session_get(actor=actor, session_id=session_id, action=action)
    audit_record(
        actor=actor,
        action=AuditAction.COURSE_VIEWED,
        obj=session,
        detail={"course": session.course_id, "client": session.course.client_id},
    )
    return session


def course_session_for_measures(*, actor: Actor, client: Client, session_id: int) -> CourseSession:
    """The client's course session a measure is given in, if the actor may record in it; otherwise 404."""
    sessions = CourseSession.objects.filter(course__client=client).select_related("occasion__context")
    return get_object_or_404(course_policy.scope_records(actor, Action.UPDATE, sessions), pk=session_id)


def course_sessions(*, actor: Actor, course: Course) -> list[CourseSession]:
    """Every session of the course in number order, in one query, without their free text."""
    scoped = course_policy.scope_records(actor, Action.VIEW, CourseSession.objects.filter(course=course))
    return list(scoped.defer(*TEXT_FIELDS).order_by("number"))


@dataclass(frozen=True)
class Counts:
    next_number: int  # the number the next recorded session takes
    attended: int  # sessions held so far: the contract counts these
    not_attended: int  # cancelled and missed sessions, which the contract does not count


def session_counts(sessions: Sequence[CourseSession]) -> Counts:
    attended = sum(1 for session in sessions if session.attendance == Attendance.ATTENDED)
    return Counts(
        next_number=max((session.number for session in sessions), default=0) + 1,
        attended=attended,
        not_attended=len(sessions) - attended,
    )


@dataclass(frozen=True)
class FocusArea:
    """An active problem area with its protocol text and the course's goals for it."""

    code: str  # the problem area's code (ProblemAreaCode)
    name: str
    stage: str  # the dispute stage's name, role disputes only
    goals: tuple[Goal, ...]
    strategies: tuple[Entry, ...]


@dataclass(frozen=True)
class SessionPanel:
    """Everything the session form shows beside it: the guide, the focus and the measures due now."""

    counts: Counts
    guide: SessionGuide | None  # None once the course is closed
    areas: tuple[FocusArea, ...]
    formulation_excerpt: str
    formulation_agreed_on: dt.date | None
    due: tuple[DueMeasure, ...]


def _focus_areas(actor: Actor, course: Course) -> tuple[FocusArea, ...]:
    chosen = course_policy.scope_records(
        actor, Action.VIEW, ProblemAreaChoice.objects.filter(course=course, active=True)
    ).prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("created_at", "pk")))
    areas = []
    for choice in chosen:
        definition = protocol().problem_area(choice.area)
        stage = definition.stage(choice.dispute_stage).name if choice.dispute_stage else ""
        areas.append(
            FocusArea(
                code=choice.area,
                name=definition.name,
                stage=stage,
                goals=tuple(choice.goals.all()),
                strategies=definition.strategies_at(choice.dispute_stage or None),  # a dispute's stage adds its own
            )
        )
    return tuple(areas)


def _due(
    actor: Actor, course: Course, sessions: Sequence[CourseSession], planned: int | None
) -> tuple[DueMeasure, ...]:
    """Two queries: the course's schedule and its answers; its sessions are already read."""
    schedules = of_course(actor, MeasureSchedule.objects.filter(active=True), course)
    administrations = of_course(actor, Administration.objects.all(), course).only(
        "instrument_code", "occasion_id", "completed_at"
    )
    due = due_at_next_session(
        schedules=list(schedules),
        sessions=sessions_held(sessions),
        sessions_planned=planned,
        administrations=list(administrations),
    )
    return due.measures


def session_focus_areas(*, actor: Actor, course: Course) -> tuple[FocusArea, ...]:
    """The course's active problem areas with their strategies: all a session's post needs to be checked."""
    return _focus_areas(actor, course)


def session_panel(*, actor: Actor, course: Course, areas: tuple[FocusArea, ...] | None = None) -> SessionPanel:
    """A fixed number of queries whatever the number of sessions, goals or measures (`areas`, if already read,
    are not read again)."""
    sessions = course_sessions(actor=actor, course=course)
    counts = session_counts(sessions)
    areas = _focus_areas(actor, course) if areas is None else areas
    # The course's one-to-one records with what the rules count: the formulation shown comes with them (the course
    # was read under the policy, and its formulation is its own), and the snapshot takes the sessions and areas read.
    facts = course_facts(course, count_attended=False)
    formulation: Formulation | None = getattr(facts, "formulation", None)
    guide = None
    due: tuple[DueMeasure, ...] = ()
    if course.is_open:
        snapshot = course_snapshot(
            course, facts=facts, sessions_held=counts.attended, active_areas=[area.code for area in areas]
        )
        guide = session_guide(snapshot, counts.attended + 1)
        due = _due(actor, course, sessions, guide.sessions_planned)
    return SessionPanel(
        counts=counts,
        guide=guide,
        areas=areas,
        formulation_excerpt=Truncator(formulation.text).words(FORMULATION_EXCERPT_WORDS) if formulation else "",
        formulation_agreed_on=formulation.agreed_on if formulation else None,
        due=due,
    )


def next_session_cautions(*, course: Course, snapshot: CourseSnapshot, counts: Counts) -> SessionGuide | None:
    """The guide for the next session of an open course (its cautions go on the course page)."""
    if not course.is_open:
        return None
    return session_guide(snapshot, counts.attended + 1)


@dataclass(frozen=True)
class StrategyGroup:
    area: str
    choices: tuple[tuple[str, str], ...]  # (strategy id, text)


def strategy_groups(areas: Sequence[FocusArea], keep: Sequence[str] = ()) -> tuple[StrategyGroup, ...]:
    """The strategies a session may record, by active problem area, plus those an edited session already had."""
    groups = [StrategyGroup(area.name, tuple((s.id, s.text) for s in area.strategies)) for area in areas]
    offered = {strategy_id for group in groups for strategy_id, _ in group.choices}
    for definition in protocol().problem_areas:
        kept = tuple((s.id, s.text) for s in definition.all_strategies if s.id in keep and s.id not in offered)
        if kept:
            groups.append(StrategyGroup(f"{definition.name} (no longer an active focus)", kept))
    return tuple(groups)


@dataclass(frozen=True)
class NamedStrategy:
    area: str
    text: str


def strategies_named(ids: Sequence[str]) -> tuple[NamedStrategy, ...]:
    """Strategy ids as the protocol words them, with their problem area; an id the protocol lost shows as is."""
    known = {s.id: NamedStrategy(area.name, s.text) for area in protocol().problem_areas for s in area.all_strategies}
    return tuple(known.get(strategy_id, NamedStrategy("", strategy_id)) for strategy_id in ids)


def techniques_named(ids: Sequence[str]) -> tuple[str, ...]:
    known = {technique.id: technique.name for technique in protocol().techniques}
    return tuple(known.get(technique_id, technique_id) for technique_id in ids)


def session_alerts(*, session: CourseSession) -> list[RiskAlert]:
    """The risk alerts this session's risk check opened; call only with a session the actor may read."""
    return list(RiskAlert.objects.filter(occasion_id=session.occasion_id).order_by("opened_at", "pk"))
