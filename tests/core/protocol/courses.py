"""Snapshots of courses at the points the rules care about, built by small functions the tests vary."""

from __future__ import annotations

import dataclasses
import datetime as dt

from iptriad.core.protocol.rules import ContractSnapshot, CourseSnapshot, Phase, ProblemAreaCode

AGREED = dt.date(2025, 3, 4)


def contract(sessions: int = 16, *, agreed: bool = True, renegotiated: bool = False) -> ContractSnapshot:
    return ContractSnapshot(sessions_planned=sessions, agreed_on=AGREED if agreed else None, renegotiated=renegotiated)


def ready_for_middle(**changes: object) -> CourseSnapshot:
    """A standard course at the end of its initial phase with everything in place."""
    course = CourseSnapshot(
        adaptation="standard",
        phase=Phase.INITIAL,
        has_diagnosis=True,
        suicide_risk_recorded=True,
        has_inventory=True,
        problem_areas=(ProblemAreaCode.GRIEF,),
        has_formulation=True,
        formulation_agreed=True,
        contract=contract(16),
        sessions_held=3,
    )
    return dataclasses.replace(course, **changes)  # type: ignore[arg-type]


def in_phase(phase: Phase, **changes: object) -> CourseSnapshot:
    return ready_for_middle(phase=phase, **changes)


def ready_for_maintenance(**changes: object) -> CourseSnapshot:
    """A course in termination with the relapse-prevention plan and a renegotiated contract for maintenance."""
    values: dict[str, object] = {
        "phase": Phase.TERMINATION,
        "sessions_held": 16,
        "has_relapse_prevention_plan": True,
        "contract": contract(28, renegotiated=True),
    }
    return ready_for_middle(**(values | changes))
