"""Read the IPT protocol from the versioned TOML files in `data/`, refusing anything malformed.

The four files are one protocol: they must carry the same `version`, which a course records. Every fact must
name its source (a section of ipt-protocol.md, a tag [S#] or [BK], or a Design note).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from iptriad.core.protocol.model import (
    DEFAULT_CONTRACT_MIN,
    STARTING_PHASES,
    Adaptation,
    DisputeStage,
    DisputeStageDefinition,
    Entry,
    Note,
    Phase,
    PhaseDefinition,
    ProblemArea,
    ProblemAreaCode,
    ProscribedTechnique,
    Protocol,
    SickRole,
    SickRoleKind,
    Technique,
)

FILES = ("phases.toml", "problem_areas.toml", "techniques.toml", "adaptations.toml")
FORMATS = ("individual", "telephone")
VERSION = re.compile(r"^\d+\.\d+\.\d+$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
# A source names a section of the reference, a source tag, or says it is a software choice.
SOURCE = re.compile(r"§\d|\[S\d+[a-z]?\]|\[BK\]|Design note")


class DefinitionError(ValueError):
    """A protocol data file is malformed; the message names the file, the entry and the problem."""


def _only(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {sorted(unknown)}")


def _text(table: Mapping[str, Any], key: str, where: str, *, empty: bool = False) -> str:
    if key not in table:
        raise DefinitionError(f"{where}: missing '{key}'")
    value = table[key]
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise DefinitionError(f"{where}: '{key}' must be {'a' if empty else 'a non-empty'} string")
    return value


def _optional_text(table: Mapping[str, Any], key: str, where: str) -> str | None:
    return _text(table, key, where) if key in table else None


def _source(table: Mapping[str, Any], key: str, where: str) -> str:
    source = _text(table, key, where)
    if not SOURCE.search(source):
        raise DefinitionError(f"{where}: '{key}' must name a section (§), a tag ([S#], [BK]) or a Design note")
    return source


def _optional_int(table: Mapping[str, Any], key: str, where: str) -> int | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise DefinitionError(f"{where}: '{key}' must be a positive whole number")
    return value


def _tables(table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> list[Mapping[str, Any]]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise DefinitionError(f"{where}: '{key}' must be a list of tables")
    if required and not value:
        raise DefinitionError(f"{where}: '{key}' is empty")
    return value


def _identifier(table: Mapping[str, Any], key: str, where: str, prefix: str = "") -> str:
    value = _text(table, key, where)
    if not IDENTIFIER.match(value):
        raise DefinitionError(f"{where}: {key} '{value}' must be lower-case words joined by '_' and '.'")
    if not value.startswith(prefix):
        raise DefinitionError(f"{where}: {key} '{value}' must start with '{prefix}'")
    return value


def _entries(
    table: Mapping[str, Any], key: str, where: str, prefix: str, *, required: bool = True
) -> tuple[Entry, ...]:
    entries = []
    for index, raw in enumerate(_tables(table, key, where, required=required)):
        at = f"{where} {key} {index + 1}"
        _only(raw, {"id", "text", "source"}, at)
        entries.append(
            Entry(id=_identifier(raw, "id", at, prefix), text=_text(raw, "text", at), source=_source(raw, "source", at))
        )
    return tuple(entries)


def _notes(table: Mapping[str, Any], where: str) -> tuple[Note, ...]:
    notes = []
    for index, raw in enumerate(_tables(table, "notes", where, required=False)):
        at = f"{where} note {index + 1}"
        _only(raw, {"text", "source"}, at)
        notes.append(Note(text=_text(raw, "text", at), source=_source(raw, "source", at)))
    return tuple(notes)


def _unique(ids: list[str], what: str, where: str) -> None:
    duplicates = sorted({value for value in ids if ids.count(value) > 1})
    if duplicates:
        raise DefinitionError(f"{where}: duplicate {what} {duplicates}")


def _in_order(found: list[str], expected: list[str], what: str, where: str) -> None:
    if found != expected:
        raise DefinitionError(f"{where}: {what} must be exactly {expected} in that order, found {found}")


def _phases(raw: Mapping[str, Any], where: str) -> tuple[PhaseDefinition, ...]:
    phases = []
    for index, entry in enumerate(_tables(raw, "phases", where)):
        at = f"{where} phase {index + 1}"
        _only(entry, {"id", "name", "sessions", "summary", "source", "tasks", "session_steps"}, at)
        phase_id = _text(entry, "id", at)
        if phase_id not in {p.value for p in Phase}:
            raise DefinitionError(f"{at}: unknown phase '{phase_id}'")
        phase = Phase(phase_id)
        terminal = phase is Phase.CLOSED
        tasks = _entries(entry, "tasks", at, f"{phase}.", required=not terminal)
        steps = _entries(entry, "session_steps", at, f"{phase}.step.", required=False)
        if terminal and (tasks or steps):
            raise DefinitionError(f"{at}: the closed state has no tasks")
        phases.append(
            PhaseDefinition(
                phase=phase,
                name=_text(entry, "name", at),
                sessions=_text(entry, "sessions", at),
                summary=_text(entry, "summary", at),
                source=_source(entry, "source", at),
                tasks=tasks,
                session_steps=steps,
            )
        )
    _in_order([p.phase.value for p in phases], [p.value for p in Phase], "phases", where)
    _unique([e.id for p in phases for e in (*p.tasks, *p.session_steps)], "task ids", where)
    return tuple(phases)


def _stages(raw: Mapping[str, Any], where: str, code: str) -> tuple[DisputeStageDefinition, ...]:
    stages = []
    for index, entry in enumerate(_tables(raw, "stages", where, required=False)):
        at = f"{where} stage {index + 1}"
        _only(entry, {"id", "name", "description", "source", "strategies"}, at)
        stage_id = _text(entry, "id", at)
        if stage_id not in {s.value for s in DisputeStage}:
            raise DefinitionError(f"{at}: unknown dispute stage '{stage_id}'")
        stages.append(
            DisputeStageDefinition(
                stage=DisputeStage(stage_id),
                name=_text(entry, "name", at),
                description=_text(entry, "description", at),
                source=_source(entry, "source", at),
                strategies=_entries(entry, "strategies", at, f"{code}.strategy."),
            )
        )
    return tuple(stages)


PROBLEM_AREA_KEYS = {
    "code",
    "name",
    "lay_name",
    "lay_name_source",
    "other_names",
    "other_names_source",
    "definition",
    "definition_source",
    "identified",
    "identified_source",
    "goals",
    "strategies",
    "record",
    "notes",
    "stages",
}


def _problem_areas(raw: Mapping[str, Any], where: str) -> tuple[ProblemArea, ...]:
    areas = []
    for index, entry in enumerate(_tables(raw, "problem_areas", where)):
        at = f"{where} problem area {index + 1}"
        _only(entry, PROBLEM_AREA_KEYS, at)
        code = _text(entry, "code", at)
        if code not in {c.value for c in ProblemAreaCode}:
            raise DefinitionError(f"{at}: unknown problem area '{code}'")
        other_names = entry.get("other_names", [])
        if not isinstance(other_names, list) or not all(isinstance(name, str) and name for name in other_names):
            raise DefinitionError(f"{at}: 'other_names' must be a list of non-empty strings")
        identified = _optional_text(entry, "identified", at)
        stages = _stages(entry, at, code)
        expected_stages = [s.value for s in DisputeStage] if code == ProblemAreaCode.ROLE_DISPUTE else []
        _in_order([s.stage.value for s in stages], expected_stages, f"stages of '{code}'", at)
        areas.append(
            ProblemArea(
                code=ProblemAreaCode(code),
                name=_text(entry, "name", at),
                lay_name=_text(entry, "lay_name", at),
                lay_name_source=_source(entry, "lay_name_source", at),
                other_names=tuple(other_names),
                other_names_source=_source(entry, "other_names_source", at),
                definition=_text(entry, "definition", at),
                definition_source=_source(entry, "definition_source", at),
                identified=identified,
                identified_source=_source(entry, "identified_source", at) if identified is not None else None,
                goals=_entries(entry, "goals", at, f"{code}.goal."),
                strategies=_entries(entry, "strategies", at, f"{code}.strategy."),
                record=_entries(entry, "record", at, f"{code}.record."),
                notes=_notes(entry, at),
                stages=stages,
            )
        )
    _in_order([a.code.value for a in areas], [c.value for c in ProblemAreaCode], "problem areas", where)
    _unique([e.id for a in areas for e in (*a.goals, *a.all_strategies, *a.record)], "ids", where)
    return tuple(areas)


def _techniques(raw: Mapping[str, Any], where: str) -> tuple[tuple[Technique, ...], tuple[ProscribedTechnique, ...]]:
    techniques = []
    for index, entry in enumerate(_tables(raw, "techniques", where)):
        at = f"{where} technique {index + 1}"
        _only(entry, {"id", "name", "description", "note", "source"}, at)
        techniques.append(
            Technique(
                id=_identifier(entry, "id", at),
                name=_text(entry, "name", at),
                description=_text(entry, "description", at),
                note=_text(entry, "note", at, empty=True),
                source=_source(entry, "source", at),
            )
        )
    proscribed = []
    for index, entry in enumerate(_tables(raw, "proscribed", where, required=False)):
        at = f"{where} proscribed {index + 1}"
        _only(entry, {"id", "name", "source"}, at)
        proscribed.append(
            ProscribedTechnique(
                id=_identifier(entry, "id", at), name=_text(entry, "name", at), source=_source(entry, "source", at)
            )
        )
    _unique([t.id for t in techniques] + [t.id for t in proscribed], "technique ids", where)
    return tuple(techniques), tuple(proscribed)


ADAPTATION_KEYS = {
    "id",
    "name",
    "population",
    "format",
    "sessions",
    "sessions_min",
    "sessions_max",
    "frequency",
    "session_minutes_min",
    "session_minutes_max",
    "source",
    "default_sessions",
    "default_source",
    "contract_min",
    "contract_min_source",
    "sick_role",
    "notes",
    "starting_phase",
    "starting_phase_source",
    "condition",
    "condition_source",
}


def _sick_role(entry: Mapping[str, Any], at: str) -> SickRole:
    raw = entry.get("sick_role")
    if not isinstance(raw, dict):
        raise DefinitionError(f"{at}: missing 'sick_role' table")
    _only(raw, {"kind", "source"}, f"{at} sick_role")
    kind = _text(raw, "kind", f"{at} sick_role")
    if kind not in {k.value for k in SickRoleKind}:
        raise DefinitionError(f"{at}: unknown sick role '{kind}'")
    return SickRole(kind=SickRoleKind(kind), source=_source(raw, "source", f"{at} sick_role"))


def _ordered(low: int | None, high: int | None, what: str, at: str) -> None:
    if low is not None and high is not None and low > high:
        raise DefinitionError(f"{at}: {what} minimum {low} is above its maximum {high}")


DEFAULT_CONTRACT_MIN_SOURCE = "Design note: the product's shortest first contract for an acute course"


def _contract_min(entry: Mapping[str, Any], at: str) -> tuple[int, str]:
    """The adaptation's own shortest first contract with its source, or the product's default."""
    minimum = _optional_int(entry, "contract_min", at)
    if minimum is None:
        if "contract_min_source" in entry:
            raise DefinitionError(f"{at}: 'contract_min_source' without 'contract_min'")
        return DEFAULT_CONTRACT_MIN, DEFAULT_CONTRACT_MIN_SOURCE
    return minimum, _source(entry, "contract_min_source", at)


def _starting_phase(entry: Mapping[str, Any], at: str) -> dict[str, Any]:
    """The phase a course of the adaptation starts in, with its source, when the data names one."""
    if "starting_phase" not in entry:
        if "starting_phase_source" in entry:
            raise DefinitionError(f"{at}: 'starting_phase_source' without 'starting_phase'")
        return {}
    phase = _text(entry, "starting_phase", at)
    if phase not in {p.value for p in STARTING_PHASES}:
        raise DefinitionError(f"{at}: a course starts in one of {[p.value for p in STARTING_PHASES]}, not '{phase}'")
    return {"starting_phase": Phase(phase), "starting_phase_source": _source(entry, "starting_phase_source", at)}


def _condition(entry: Mapping[str, Any], at: str) -> dict[str, Any]:
    """The illness the adaptation treats, as phase texts name it, with its source, when the data names one."""
    if "condition" not in entry:
        return {}
    return {"condition": _text(entry, "condition", at), "condition_source": _source(entry, "condition_source", at)}


def _adaptations(raw: Mapping[str, Any], where: str) -> tuple[Adaptation, ...]:
    adaptations = []
    for index, entry in enumerate(_tables(raw, "adaptations", where)):
        at = f"{where} adaptation {index + 1}"
        _only(entry, ADAPTATION_KEYS, at)
        form = _text(entry, "format", at)
        if form not in FORMATS:
            raise DefinitionError(f"{at}: format '{form}' is not one of {list(FORMATS)}")
        default = _optional_int(entry, "default_sessions", at)
        if default is None:
            raise DefinitionError(f"{at}: missing 'default_sessions'")
        contract_min, contract_min_source = _contract_min(entry, at)
        adaptation = Adaptation(
            id=_identifier(entry, "id", at),
            name=_text(entry, "name", at),
            population=_text(entry, "population", at),
            format=form,
            sessions=_text(entry, "sessions", at),
            sessions_min=_optional_int(entry, "sessions_min", at),
            sessions_max=_optional_int(entry, "sessions_max", at),
            frequency=_optional_text(entry, "frequency", at),
            session_minutes_min=_optional_int(entry, "session_minutes_min", at),
            session_minutes_max=_optional_int(entry, "session_minutes_max", at),
            source=_source(entry, "source", at),
            default_sessions=default,
            default_source=_source(entry, "default_source", at),
            contract_min=contract_min,
            contract_min_source=contract_min_source,
            sick_role=_sick_role(entry, at),
            notes=_notes(entry, at),
            **_starting_phase(entry, at),
            **_condition(entry, at),
        )
        _ordered(adaptation.sessions_min, adaptation.sessions_max, "sessions", at)
        _ordered(adaptation.sessions_min, default, "sessions", at)
        _ordered(default, adaptation.sessions_max, "sessions", at)
        _ordered(contract_min, default, "first contract", at)
        _ordered(adaptation.session_minutes_min, adaptation.session_minutes_max, "session minutes", at)
        adaptations.append(adaptation)
    _unique([a.id for a in adaptations], "adaptation ids", where)
    if "standard" not in {a.id for a in adaptations}:
        raise DefinitionError(f"{where}: the 'standard' adaptation is missing")
    return tuple(adaptations)


def _read(text: str, where: str, allowed: set[str]) -> tuple[dict[str, Any], str]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(f"{where}: {error}") from error
    _only(raw, allowed | {"version"}, where)
    version = _text(raw, "version", where)
    if not VERSION.match(version):
        raise DefinitionError(f"{where}: version '{version}' must look like 1.0.0")
    return raw, version


def parse_protocol(texts: Mapping[str, str]) -> Protocol:
    """Build the protocol from the text of each file in FILES, keyed by file name."""
    missing = [name for name in FILES if name not in texts]
    if missing:
        raise DefinitionError(f"protocol: missing files {missing}")
    phases_raw, phases_version = _read(texts["phases.toml"], "phases.toml", {"phases"})
    areas_raw, areas_version = _read(texts["problem_areas.toml"], "problem_areas.toml", {"problem_areas"})
    techniques_raw, techniques_version = _read(
        texts["techniques.toml"], "techniques.toml", {"techniques", "proscribed"}
    )
    adaptations_raw, adaptations_version = _read(texts["adaptations.toml"], "adaptations.toml", {"adaptations"})
    versions = {phases_version, areas_version, techniques_version, adaptations_version}
    if len(versions) != 1:
        raise DefinitionError(f"protocol: the files must share one version, found {sorted(versions)}")
    techniques, proscribed = _techniques(techniques_raw, "techniques.toml")
    return Protocol(
        version=phases_version,
        phases=_phases(phases_raw, "phases.toml"),
        problem_areas=_problem_areas(areas_raw, "problem_areas.toml"),
        techniques=techniques,
        proscribed_techniques=proscribed,
        adaptations=_adaptations(adaptations_raw, "adaptations.toml"),
    )


def data_texts() -> dict[str, str]:
    """The shipped data files by name, as text (tests alter them to prove the loader refuses bad data)."""
    folder = resources.files("iptriad.core.protocol").joinpath("data")
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in FILES}


@cache
def protocol() -> Protocol:
    """The shipped protocol, read once."""
    return parse_protocol(data_texts())
