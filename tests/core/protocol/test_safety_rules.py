"""The protocol's safety rules of issue 10 as pure rules: what the middle phase needs, the time-limited sick role,
maintenance IPT for a client in remission, the role-dispute strategies per stage and the wording per adaptation.
The pages and the API are tested in tests/courses/test_protocol_safety.py."""

from __future__ import annotations

import dataclasses

import pytest

from iptriad.core.protocol import course_standing, protocol, rules
from iptriad.core.protocol import guide as guide_rules
from iptriad.core.protocol.model import ProblemAreaCode, SickRoleKind
from iptriad.core.protocol.rules import CourseSnapshot, EndReason, Phase, check_start_middle, session_guide
from tests.core.protocol.courses import contract, in_phase, ready_for_middle


def messages(refusals: tuple[rules.Refusal, ...]) -> list[str]:
    return [refusal.message for refusal in refusals]


# 2. The middle phase opens only with the inventory, a problem area and the suicide-risk assessment ------------------


def test_the_middle_phase_needs_the_suicide_risk_assessment_recorded():
    refusals = check_start_middle(ready_for_middle(suicide_risk_recorded=False))
    assert [(r.code, r.message) for r in refusals] == [("no_suicide_risk", rules.NO_SUICIDE_RISK)]


def test_the_middle_phase_needs_the_interpersonal_inventory():
    refusals = check_start_middle(ready_for_middle(has_inventory=False))
    assert [(r.code, r.message) for r in refusals] == [("no_inventory", rules.NO_INVENTORY)]


def test_the_middle_phase_needs_a_problem_area():
    assert messages(check_start_middle(ready_for_middle(problem_areas=()))) == [rules.NO_PROBLEM_AREA]


def test_each_missing_piece_is_named_in_the_order_of_the_initial_phase():
    course = ready_for_middle(suicide_risk_recorded=False, has_inventory=False, problem_areas=())
    assert messages(check_start_middle(course)) == [rules.NO_SUICIDE_RISK, rules.NO_INVENTORY, rules.NO_PROBLEM_AREA]


def test_with_all_three_the_middle_phase_may_start():
    assert check_start_middle(ready_for_middle()) == ()


# 3. The sick role is time-limited ---------------------------------------------------------------------------------


def given(phase: Phase = Phase.MIDDLE, **changes: object) -> CourseSnapshot:
    """A course of 16 sessions whose client was given the sick role, not reviewed yet."""
    return in_phase(phase, sick_role_given=True, **changes)


def review_codes(course: CourseSnapshot, session: int) -> list[str]:
    return [caution.code for caution in session_guide(course, session).cautions if caution.code.startswith("sick")]


def test_in_the_middle_phase_the_guide_asks_to_review_the_sick_role_as_the_client_improves():
    guide = session_guide(given(), 5)
    assert (guide.sick_role_review, guide.sick_role_review_due) == (True, False)
    assert review_codes(given(), 5) == ["sick_role_review"]
    assert guide.cautions[-1].message == guide_rules.SICK_ROLE_REVIEW


@pytest.mark.parametrize("session", [8, 9, 12])
def test_from_the_midpoint_the_guide_asks_to_review_and_withdraw_it_now(session):
    guide = session_guide(given(), session)
    assert (guide.sick_role_review, guide.sick_role_review_due) == (False, True)
    assert review_codes(given(), session) == ["sick_role_review_due"]
    assert guide_rules.SICK_ROLE_REVIEW_DUE in [caution.message for caution in guide.cautions]


@pytest.mark.parametrize("phase", [Phase.TERMINATION, Phase.MAINTENANCE])
def test_past_the_middle_phase_an_unreviewed_sick_role_is_due_whatever_the_session(phase):
    assert review_codes(given(phase), 2) == ["sick_role_review_due"]


def test_without_a_contract_the_middle_phase_still_reminds_of_the_review():
    assert review_codes(given(contract=None), 20) == ["sick_role_review"]


@pytest.mark.parametrize(
    "course",
    [
        given(sick_role_reviewed=True),  # reviewed and withdrawn: the prompt goes
        in_phase(Phase.MIDDLE),  # never given
        given(Phase.INITIAL),  # just given, in the initial phase
    ],
)
def test_no_prompt_once_reviewed_or_when_there_is_nothing_to_review(course):
    assert review_codes(course, 8) == []


# 4. Maintenance IPT starts as a maintenance course -----------------------------------------------------------------


def test_ipt_m_starts_in_maintenance_without_a_sick_role_and_every_other_adaptation_in_the_initial_phase():
    ipt_m = protocol().adaptation("ipt_m")
    assert (ipt_m.starting_phase, ipt_m.sick_role.kind) == (Phase.MAINTENANCE, SickRoleKind.NONE)
    assert "remission" in ipt_m.starting_phase_source
    others = [a for a in protocol().adaptations if a.id != "ipt_m"]
    assert {a.starting_phase for a in others} == {Phase.INITIAL}
    assert SickRoleKind.NONE not in {a.sick_role.kind for a in others}


def maintenance_course(**changes: object) -> CourseSnapshot:
    """An IPT-M course as it opens: in maintenance, with a monthly contract of 12 and nothing else recorded."""
    values: dict[str, object] = {
        "adaptation": "ipt_m",
        "phase": Phase.MAINTENANCE,
        "has_diagnosis": False,
        "suicide_risk_recorded": False,
        "has_inventory": False,
        "problem_areas": (),
        "has_formulation": False,
        "formulation_agreed": False,
        "contract": contract(12),
        "sessions_held": 0,
    }
    return dataclasses.replace(ready_for_middle(), **(values | changes))  # type: ignore[arg-type]


def test_a_maintenance_course_has_no_acute_phase_to_go_to_and_asks_nothing_of_the_initial_phase():
    standing = course_standing(maintenance_course())
    assert standing.next_phase is None
    assert standing.next_phase_refusals == ()
    assert standing.allowed_transitions == (Phase.CLOSED,)
    assert [task.id for task in standing.tasks] == [task.id for task in protocol().phase(Phase.MAINTENANCE).tasks]


def test_its_session_guide_keeps_the_maintenance_steps_without_acute_prompts():
    guide = session_guide(maintenance_course(), 1)
    assert guide.phase is Phase.MAINTENANCE
    assert (guide.termination_due, guide.initial_phase_overrun, guide.sick_role_review_due) == (False, False, False)
    assert guide.cautions == ()


def test_it_completes_from_maintenance_with_the_relapse_prevention_plan():
    assert rules.check_close(maintenance_course(has_relapse_prevention_plan=True), EndReason.COMPLETED) == ()
    refused = rules.check_close(maintenance_course(), EndReason.COMPLETED)
    assert [refusal.code for refusal in refused] == ["completed_no_plan"]


# 5. Role disputes get strategies for each stage ---------------------------------------------------------------------


def test_each_dispute_stage_has_its_own_sourced_strategies():
    dispute = protocol().problem_area(ProblemAreaCode.ROLE_DISPUTE)
    for stage in dispute.stages:
        assert len(stage.strategies) >= 2, stage.stage
        assert all(strategy.source.startswith("§5.2") for strategy in stage.strategies)
    assert dispute.stage("impasse").strategies[0].text.startswith("At impasse, bring the disagreement into the open")
    assert "mourn" in dispute.stage("dissolution").strategies[0].text


def test_the_strategies_for_the_work_now_add_the_recorded_stages_to_the_areas_own():
    dispute = protocol().problem_area(ProblemAreaCode.ROLE_DISPUTE)
    assert dispute.strategies_at(None) == dispute.strategies
    at_impasse = dispute.strategies_at("impasse")
    assert at_impasse == dispute.strategies + dispute.stage("impasse").strategies
    assert not set(dispute.stage("renegotiation").strategies) & set(at_impasse)
    assert len(dispute.all_strategies) == len(dispute.strategies) + sum(len(s.strategies) for s in dispute.stages)


# 6. Phase wording fits the adaptation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("adaptation", "condition"),
    [("standard", "depression"), ("ipsrt", "bipolar disorder"), ("ipt_bn", "bulimia"), ("ipc", "distress")],
)
def test_the_initial_phase_tasks_name_the_illness_the_adaptation_treats(adaptation, condition):
    course = ready_for_middle(adaptation=adaptation)
    texts = [task.text for task in course_standing(course).tasks]
    guide_texts = [task.text for task in session_guide(course, 1).tasks]
    assert texts == guide_texts
    psychoeducation = next(task.text for task in course_standing(course).tasks if task.id == "initial.psychoeducation")
    assert f"how {condition} affects relationships" in psychoeducation
    assert not any("{condition}" in text for text in texts)
    if condition != "depression":
        assert not any("depression" in text for text in texts)
