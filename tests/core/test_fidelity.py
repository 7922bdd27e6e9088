"""iptriad's own adherence checklists and the arithmetic of a rating (issue 13, part 5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from iptriad.core.fidelity import (
    CHECKLIST_VERSION,
    PROSCRIBED_KEY,
    SESSION_TYPES,
    Answer,
    UnknownChecklistError,
    agreement,
    answer_errors,
    checklist_by_ref,
    group_checklist,
    individual_checklist,
    score,
)
from iptriad.core.groups import PHASE_GUIDES
from iptriad.core.protocol import Phase, protocol

DONE, PARTLY, NOT_DONE, NA = (answer.value for answer in Answer)


def test_it_builds_a_middle_checklist_from_the_phase_steps_and_the_chosen_areas_strategies():
    checklist = individual_checklist("middle", ["role_dispute"])
    assert checklist.ref == f"iptriad-individual-middle-role_dispute@{CHECKLIST_VERSION}"
    keys = set(checklist.keys)
    assert {step.id for step in protocol().phase("middle").session_steps} <= keys
    assert {entry.id for entry in protocol().problem_area("role_dispute").all_strategies} <= keys
    assert not {entry.id for entry in protocol().problem_area("grief").strategies} & keys
    assert {f"technique.{technique.id}" for technique in protocol().techniques} <= keys
    assert PROSCRIBED_KEY in keys


def test_it_reuses_the_protocol_wording_and_names_each_items_source():
    checklist = individual_checklist("initial", condition="bulimia")
    task = protocol().phase("initial").task("initial.psychoeducation")
    item = next(item for item in checklist.items if item.key == task.id)
    assert item.text == task.text.replace("{condition}", "bulimia")
    assert all(item.source for item in checklist.items)
    assert "{condition}" not in " ".join(item.text for item in checklist.items)


def test_two_areas_are_named_in_protocol_order_whatever_order_they_come_in():
    one = individual_checklist("middle", ["role_transition", "grief"])
    assert one.id == "iptriad-individual-middle-grief+role_transition"
    assert checklist_by_ref(one.ref) == one


def test_the_group_checklist_is_each_steps_of_the_phase_guide():
    checklist = group_checklist("initial")
    assert checklist.ref == "iptriad-group-initial@1"
    assert [item.text for item in checklist.items] == list(PHASE_GUIDES[Phase.INITIAL].steps)


@pytest.mark.parametrize("session_type", SESSION_TYPES)
def test_every_session_type_has_a_checklist_found_again_by_its_ref(session_type):
    kind, _, phase = session_type.partition(":")
    checklist = individual_checklist(phase) if kind == "individual" else group_checklist(phase)
    assert checklist.session_type == session_type
    assert len(set(checklist.keys)) == len(checklist.keys)
    assert checklist_by_ref(checklist.ref) == checklist


@pytest.mark.parametrize(
    "ref",
    [
        "iptriad-individual-middle@2",
        "iptriad-individual-closed@1",
        "iptriad-group-maintenance@1",
        "iptriad-individual-middle-role_transition+grief@1",
        "iptriad-individual-middle-nothing@1",
        "form:1:1",
        "",
    ],
)
def test_an_unknown_ref_is_refused(ref):
    with pytest.raises(UnknownChecklistError):
        checklist_by_ref(ref)


def test_the_checklists_items_are_pinned_so_a_change_bumps_the_version():
    # A change to the protocol data that changes a checklist's items must raise CHECKLIST_VERSION (and this count).
    sizes = {
        ref: len(checklist_by_ref(ref).keys)
        for ref in (
            "iptriad-individual-initial@1",
            "iptriad-individual-middle@1",
            "iptriad-individual-termination@1",
            "iptriad-individual-maintenance@1",
            "iptriad-group-initial@1",
            "iptriad-group-middle@1",
            "iptriad-group-termination@1",
        )
    }
    assert sizes == {
        "iptriad-individual-initial@1": 12,
        "iptriad-individual-middle@1": 7 + 3 + 10 + 1,
        "iptriad-individual-termination@1": 7,
        "iptriad-individual-maintenance@1": 4,
        "iptriad-group-initial@1": 7,
        "iptriad-group-middle@1": 7,
        "iptriad-group-termination@1": 6,
    }


def test_score_is_the_share_of_applicable_items_done_with_partly_as_half():
    assert score({"a": DONE, "b": PARTLY, "c": NOT_DONE, "d": NA}) == Decimal("50.0")
    assert score({"a": DONE, "b": DONE, "c": PARTLY}) == Decimal("83.3")
    assert score({"a": NA}) is None


def test_answers_must_cover_the_checklist_on_its_scale():
    checklist = group_checklist("termination")
    answers = dict.fromkeys(checklist.keys, DONE)
    assert answer_errors(checklist, answers) == []
    del answers[checklist.keys[0]]
    assert answer_errors(checklist, answers) == ["Answer every item: 1 left."]
    answers |= {checklist.keys[0]: "yes", "made.up": DONE}
    assert answer_errors(checklist, answers) == [
        "'made.up' is not an item of this checklist.",
        "'yes' is not an answer: use done, partly, not_done or not_applicable.",
    ]


def test_agreement_counts_items_with_the_same_answer_and_the_score_difference():
    self_rating = {"a": DONE, "b": DONE, "c": NOT_DONE, "d": NA}
    supervisor = {"a": DONE, "b": PARTLY, "c": NOT_DONE, "d": DONE}
    result = agreement(self_rating, supervisor)
    assert (result.compared, result.same, result.share) == (4, 2, Decimal("50.0"))
    assert result.score_difference == Decimal("62.5") - Decimal("66.7")  # supervisor minus self
