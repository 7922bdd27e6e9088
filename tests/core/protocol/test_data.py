"""The shipped protocol loads, is complete, and every fact names its source in the reference."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest

from iptriad.core.protocol import protocol
from iptriad.core.protocol.loader import SOURCE
from iptriad.core.protocol.model import (
    DisputeStage,
    Entry,
    Note,
    Phase,
    ProblemAreaCode,
    SickRoleKind,
    UnknownProtocolEntryError,
)
from iptriad.core.protocol.rules import check_contract

TAG = re.compile(r"\[S\d+[a-z]?\]|\[BK\]|Design note")


def _sourced(value: object, path: str = "protocol") -> Iterator[tuple[str, str]]:
    """Every (path, source) pair in the protocol, walking all dataclasses and tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            child = getattr(value, field.name)
            if field.name.endswith("source") and child is not None:
                yield f"{path}.{field.name}", child
            else:
                yield from _sourced(child, f"{path}.{field.name}")
    elif isinstance(value, tuple):
        for index, child in enumerate(value):
            yield from _sourced(child, f"{path}[{index}]")


def _facts(value: object) -> Iterator[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield value
        for field in dataclasses.fields(value):
            yield from _facts(getattr(value, field.name))
    elif isinstance(value, tuple):
        for child in value:
            yield from _facts(child)


def test_the_protocol_loads_at_one_version():
    assert protocol().version == "1.0.0"
    assert protocol() is protocol()  # read once


def test_every_fact_names_its_source():
    sources = list(_sourced(protocol()))
    assert len(sources) > 150
    assert [path for path, source in sources if not SOURCE.search(source)] == []


def test_every_text_entry_carries_a_source():
    entries = [fact for fact in _facts(protocol()) if isinstance(fact, Entry | Note)]
    assert len(entries) > 100
    assert all(entry.source.strip() for entry in entries)


def test_every_source_that_is_not_only_a_section_of_the_reference_carries_a_tag_as_the_reference_does():
    untagged = {source for _, source in _sourced(protocol()) if not TAG.search(source)}
    # Lines the reference itself gives without a tag: the "Record" lists of §5 and the §3.6 session anatomy.
    assert all(source.startswith("§") for source in untagged)


def test_the_phases_are_in_course_order_and_closed_has_no_tasks():
    phases = protocol().phases
    assert [definition.phase for definition in phases] == list(Phase)
    assert protocol().phase(Phase.CLOSED).tasks == ()
    assert all(definition.tasks for definition in phases if definition.phase is not Phase.CLOSED)


def test_the_initial_phase_has_the_ten_tasks_of_the_reference_and_a_suicide_risk_check():
    tasks = [task.id for task in protocol().phase("initial").tasks]
    assert tasks == [
        "initial.symptom_review",
        "initial.psychiatric_evaluation",
        "initial.suicide_risk",
        "initial.psychoeducation",
        "initial.sick_role",
        "initial.inventory",
        "initial.timeline",
        "initial.problem_areas",
        "initial.formulation",
        "initial.contract",
        "initial.instil_hope",
    ]


def test_the_middle_phase_carries_the_anatomy_of_a_session():
    steps = protocol().phase(Phase.MIDDLE).session_steps
    assert len(steps) == 7
    assert steps[1].id == "middle.step.opener"


def test_task_ids_are_unique_across_phases_and_found_by_id():
    ids = [entry.id for phase in protocol().phases for entry in (*phase.tasks, *phase.session_steps)]
    assert len(ids) == len(set(ids))
    assert protocol().task("termination.contingency_plan").text.startswith("Plan for contingencies")


def test_the_four_problem_areas_carry_the_who_lay_names():
    lay_names = {area.code: area.lay_name for area in protocol().problem_areas}
    assert lay_names == {
        ProblemAreaCode.GRIEF: "grief",
        ProblemAreaCode.ROLE_DISPUTE: "disputes",
        ProblemAreaCode.ROLE_TRANSITION: "life changes",
        ProblemAreaCode.INTERPERSONAL_DEFICITS: "loneliness and social isolation",
    }


def test_every_problem_area_has_a_definition_goals_strategies_and_what_to_record():
    for area in protocol().problem_areas:
        assert area.definition, area.code
        assert area.goals, area.code
        assert area.strategies, area.code
        assert area.record, area.code


def test_only_role_disputes_have_stages_and_they_are_the_three_of_the_reference():
    dispute = protocol().problem_area(ProblemAreaCode.ROLE_DISPUTE)
    assert [stage.stage for stage in dispute.stages] == list(DisputeStage)
    assert dispute.stage("impasse").description.startswith("Negotiation has stopped")
    assert all(not area.stages for area in protocol().problem_areas if area is not dispute)


def test_the_techniques_are_the_picklist_of_the_reference():
    techniques = protocol().techniques
    assert len(techniques) == 10
    assert protocol().technique("communication_analysis").note == "The core technique for disputes."
    assert {t.id for t in protocol().proscribed_techniques} >= {"transference_interpretation", "dream_interpretation"}


@pytest.mark.parametrize(
    ("adaptation", "default"),
    [
        ("standard", 16),
        ("ipt_a", 12),
        ("perinatal", 12),
        ("ipsrt", 20),
        ("ipt_bn", 19),
        ("ipc", 6),
        ("ipt_est", 3),
        ("telephone", 12),
        ("ipt_m", 12),
    ],
)
def test_each_adaptation_offers_its_default_contract(adaptation, default):
    assert protocol().adaptation(adaptation).default_sessions == default


def test_every_default_contract_is_a_valid_first_contract_without_cautions():
    for adaptation in protocol().adaptations:
        check = check_contract(adaptation.id, adaptation.default_sessions, renegotiated=False)
        assert (check.refusals, check.cautions) == ((), ()), adaptation.id


def test_standard_ipt_keeps_the_dose_of_the_reference():
    standard = protocol().adaptation("standard")
    assert (standard.sessions_min, standard.sessions_max) == (12, 16)
    assert (standard.session_minutes_min, standard.session_minutes_max) == (45, 50)


def test_only_ipt_a_gives_a_limited_sick_role():
    limited = [a.id for a in protocol().adaptations if a.sick_role.kind is SickRoleKind.LIMITED]
    assert limited == ["ipt_a"]


def test_ipsrt_carries_the_social_rhythm():
    notes = " ".join(note.text for note in protocol().adaptation("ipsrt").notes)
    assert "Social Rhythm Metric" in notes


@pytest.mark.parametrize(
    ("lookup", "message"),
    [
        (lambda: protocol().adaptation("cbt"), "unknown adaptation 'cbt'; known: standard, ipt_a,"),
        (lambda: protocol().phase("continuation"), "unknown phase 'continuation'; known: initial, middle,"),
        (lambda: protocol().problem_area("anger"), "unknown problem area 'anger'; known: grief, role_dispute,"),
        (lambda: protocol().technique("hypnosis"), "unknown technique 'hypnosis'; known: exploratory_questioning,"),
        (lambda: protocol().task("initial.nothing"), "unknown task 'initial.nothing'; known: initial.symptom_review,"),
        (lambda: protocol().problem_area("grief").stage("impasse"), "unknown stage of grief 'impasse'; known: "),
    ],
)
def test_a_lookup_of_an_unknown_id_raises_a_key_error_that_names_what_exists(lookup, message):
    with pytest.raises(KeyError) as raised:
        lookup()
    assert isinstance(raised.value, UnknownProtocolEntryError)
    assert str(raised.value).startswith(message)
