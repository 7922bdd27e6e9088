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
    return _answers(
        (administration.instrument_code, administration.occasion_id, administration.completed_at)
        for administration in administrations
    )


def _answers(rows: Iterable[tuple[str, int | None, dt.datetime]]) -> list[Answer]:
    """(instrument, occasion, completed at) rows as the rules read them, dated in the current time zone."""
    zone = timezone.get_current_timezone()  # looked up once, not per row
    return [Answer(instrument=code, occasion=occasion, on=timezone.localdate(at, zone)) for code, occasion, at in rows]


def due_at_next_session(
    *,
    schedules: Sequence[MeasureSchedule],
    sessions: Sequence[SessionHeld],
    sessions_planned: int | None,
    administrations: Sequence[Administration],
    today: dt.date | None = None,
) -> DueAtNextSession:
    """The next session's number and what is due at it, from records already read (no query)."""
    return _due(
        rules=[_rule(schedule) for schedule in schedules if schedule.active],
        sessions=sessions,
        sessions_planned=sessions_planned,
        answers=answers_of(administrations),
        today=today or timezone.localdate(),
    )


def _due(
    *,
    rules: Sequence[ScheduleRule],
    sessions: Sequence[SessionHeld],
    sessions_planned: int | None,
    answers: Sequence[Answer],
    today: dt.date,
) -> DueAtNextSession:
    number = next_session_number(sessions)
    due = due_measures(
        rules,
        next_session=number,
        sessions_planned=sessions_planned,
        given=given_measures(answers, sessions),
        today=today,
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
    """What is due at the next session of each context (by context id), in two queries for the whole list. The
    schedules and answers are read as plain rows, not model instances: a caseload has hundreds of each."""
    ids = list(contexts)
    rules: dict[int, list[ScheduleRule]] = defaultdict(list)
    schedules = MeasureSchedule.objects.filter(context_id__in=ids, active=True)
    for context_id, code, cadence, every_n in schedules.values_list(
        "context_id", "instrument_code", "cadence", "every_n"
    ):
        rules[context_id].append(ScheduleRule(code, Cadence(cadence), every_n))
    rows: dict[int, list[tuple[str, int | None, dt.datetime]]] = defaultdict(list)
    administrations = Administration.objects.filter(context_id__in=ids)
    for context_id, code, occasion, completed_at in administrations.values_list(
        "context_id", "instrument_code", "occasion_id", "completed_at"
    ):
        rows[context_id].append((code, occasion, completed_at))
    return {
        context_id: _due(
            rules=rules[context_id],
            sessions=context.sessions,
            sessions_planned=context.sessions_planned,
            answers=_answers(rows[context_id]),
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
