"""The protocol's safety rules of issue 10 as pure rules: what the middle phase needs, the time-limited sick role,
maintenance IPT for a client in remission, the role-dispute strategies per stage and the wording per adaptation.
The pages and the API are tested in tests/courses/test_protocol_safety.py."""

from __future__ import annotations

from iptriad.core.protocol import rules
from iptriad.core.protocol.rules import check_start_middle
from tests.core.protocol.courses import ready_for_middle


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
