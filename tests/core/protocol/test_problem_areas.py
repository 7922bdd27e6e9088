"""A choice of problem areas: usually one, at most two, and interpersonal deficits only when nothing else applies."""

from __future__ import annotations

import pytest

from iptriad.core.protocol import rules
from iptriad.core.protocol.rules import Caution, ProblemAreaCode, Refusal, check_problem_areas

GRIEF = ProblemAreaCode.GRIEF
DISPUTE = ProblemAreaCode.ROLE_DISPUTE
TRANSITION = ProblemAreaCode.ROLE_TRANSITION
DEFICITS = ProblemAreaCode.INTERPERSONAL_DEFICITS


@pytest.mark.parametrize("codes", [(), (GRIEF,), (TRANSITION,), (GRIEF, TRANSITION), (DISPUTE, TRANSITION)])
def test_none_one_or_two_areas_other_than_deficits_pass_without_a_word(codes):
    assert check_problem_areas(codes) == ((), ())


def test_three_areas_are_refused():
    refusals, _ = check_problem_areas((GRIEF, DISPUTE, TRANSITION))
    assert refusals == (Refusal("too_many_problem_areas", rules.TOO_MANY_PROBLEM_AREAS),)


def test_an_area_chosen_twice_is_refused():
    refusals, _ = check_problem_areas((GRIEF, GRIEF))
    assert refusals == (Refusal("duplicate_problem_area", rules.DUPLICATE_PROBLEM_AREA),)


@pytest.mark.parametrize("other", [GRIEF, DISPUTE, TRANSITION])
def test_interpersonal_deficits_beside_another_area_is_refused(other):
    refusals, _ = check_problem_areas((other, DEFICITS))
    assert refusals == (Refusal("deficits_with_another_area", rules.DEFICITS_WITH_ANOTHER_AREA),)


def test_interpersonal_deficits_alone_is_allowed_but_the_therapist_is_asked_to_confirm():
    assert check_problem_areas((DEFICITS,)) == ((), (Caution("confirm_deficits", rules.CONFIRM_DEFICITS),))


def test_a_role_dispute_without_a_recorded_stage_is_a_caution_only():
    refusals, cautions = check_problem_areas((DISPUTE,), dispute_stage_recorded=False)
    assert refusals == ()
    assert cautions == (Caution("dispute_stage_missing", rules.DISPUTE_STAGE_MISSING),)


def test_the_stage_caution_is_about_disputes_only():
    assert check_problem_areas((GRIEF,), dispute_stage_recorded=False) == ((), ())
