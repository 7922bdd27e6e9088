"""What is due at a treatment context's next session: its schedule and answers read here, its sessions given as data.

The context (a course; a group membership next) passes its sessions as `SessionHeld` rows, so this module never
reads them; the rules themselves (which session an answer belongs to, what is due or overdue) are pure functions in
iptriad.core.schedules, the one place they are written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone

from iptriad.core.instruments import UnknownInstrumentError
from iptriad.core.schedules import (
    Answer,
    Cadence,
    ScheduleRule,
    SessionHeld,
    due_measures,
    given_measures,
    next_session_number,
)
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.models import Administration, MeasureSchedule

__all__ = ["DueMeasure", "SessionHeld", "answers_of", "due_at_next_session", "due_in_contexts"]


@dataclass(frozen=True)
class DueMeasure:
    """One measure to give at the next session, with why."""

    code: str
    name: str  # the instrument's short name, e.g. "PHQ-9"
    overdue: bool
    reason: str


@dataclass(frozen=True)
class DueAtNextSession:
    number: int  # the next session, counted as the contract counts sessions (attended ones)
    measures: tuple[DueMeasure, ...]


def answers_of(administrations: Iterable[Administration]) -> list[Answer]:
    """Administrations as the rules read them: instrument, session, and the day in the organisation's time zone."""
    return [
        Answer(
            instrument=administration.instrument_code,
            occasion=administration.occasion_id,
            on=timezone.localdate(administration.completed_at),
        )
        for administration in administrations
    ]


def due_at_next_session(
    *,
    schedules: Sequence[MeasureSchedule],
    sessions: Sequence[SessionHeld],
    sessions_planned: int | None,
    administrations: Sequence[Administration],
    today: dt.date | None = None,
) -> DueAtNextSession:
    """The next session's number and what is due at it, from records already read (no query)."""
    number = next_session_number(sessions)
    rules = [_rule(schedule) for schedule in schedules if schedule.active]
    due = due_measures(
        rules,
        next_session=number,
        sessions_planned=sessions_planned,
        given=given_measures(answers_of(administrations), sessions),
        today=today or timezone.localdate(),
    )
    return DueAtNextSession(
        number=number,
        measures=tuple(
            DueMeasure(item.instrument, _short_name(item.instrument), item.overdue, item.reason) for item in due
        ),
    )


@dataclass(frozen=True)
class ContextSessions:
    """A context's sessions and planned length, as its app passes them to due_in_contexts."""

    sessions: Sequence[SessionHeld]
    sessions_planned: int | None


def due_in_contexts(*, contexts: Mapping[int, ContextSessions], today: dt.date) -> dict[int, tuple[DueMeasure, ...]]:
    """What is due at the next session of each context (by context id), in two queries for the whole list."""
    schedules: dict[int, list[MeasureSchedule]] = defaultdict(list)
    for schedule in MeasureSchedule.objects.filter(context_id__in=list(contexts), active=True).only(
        "context_id", "instrument_code", "cadence", "every_n", "active"
    ):
        schedules[schedule.context_id].append(schedule)
    administrations: dict[int, list[Administration]] = defaultdict(list)
    for administration in Administration.objects.filter(context_id__in=list(contexts)).only(
        "context_id", "instrument_code", "occasion_id", "completed_at"
    ):
        administrations[administration.context_id].append(administration)  # type: ignore[index]  # filtered above
    return {
        context_id: due_at_next_session(
            schedules=schedules[context_id],
            sessions=context.sessions,
            sessions_planned=context.sessions_planned,
            administrations=administrations[context_id],
            today=today,
        ).measures
        for context_id, context in contexts.items()
    }


def _rule(schedule: MeasureSchedule) -> ScheduleRule:
    return ScheduleRule(schedule.instrument_code, Cadence(schedule.cadence), schedule.every_n)


def _short_name(code: str) -> str:
    try:
        return instrument(code).short_name
    except UnknownInstrumentError:
        return code.upper()  # an instrument no longer shipped keeps its code
