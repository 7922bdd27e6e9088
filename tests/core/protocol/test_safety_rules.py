"""The protocol's safety rules of issue 10 as pure rules: what the middle phase needs, the time-limited sick role,
maintenance IPT for a client in remission, the role-dispute strategies per stage and the wording per adaptation.
The pages and the API are tested in tests/courses/test_protocol_safety.py."""

from __future__ import annotations

import pytest

from iptriad.core.protocol import guide as guide_rules
from iptriad.core.protocol import rules
from iptriad.core.protocol.rules import CourseSnapshot, Phase, check_start_middle, session_guide
from tests.core.protocol.courses import in_phase, ready_for_middle


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
