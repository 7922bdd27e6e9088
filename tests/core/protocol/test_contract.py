"""The treatment contract: a first contract of 6 to 20 sessions; a renegotiation may shorten or extend it."""

from __future__ import annotations

import pytest

from iptriad.core.protocol import protocol, rules
from iptriad.core.protocol.rules import CONTRACT_MAX, CONTRACT_MIN, RENEGOTIATED_MAX, check_contract


def messages(check: rules.ContractCheck) -> list[str]:
    return [refusal.message for refusal in check.refusals]


def test_the_bounds_are_the_products_6_to_20_and_56_after_a_renegotiation():
    assert (CONTRACT_MIN, CONTRACT_MAX, RENEGOTIATED_MAX) == (6, 20, 56)


@pytest.mark.parametrize("sessions", [6, 12, 16, 20])
def test_a_first_contract_of_6_to_20_sessions_is_accepted(sessions):
    assert check_contract("standard", sessions, renegotiated=False).refusals == ()


def test_a_first_contract_of_5_sessions_is_refused():
    assert messages(check_contract("standard", 5, renegotiated=False)) == [rules.CONTRACT_TOO_SHORT]


def test_a_first_contract_of_21_sessions_is_refused():
    assert messages(check_contract("standard", 21, renegotiated=False)) == [rules.CONTRACT_TOO_LONG]


@pytest.mark.parametrize("renegotiated", [False, True])
@pytest.mark.parametrize("sessions", [0, -3])
def test_a_contract_without_sessions_is_refused(sessions, renegotiated):
    assert messages(check_contract("standard", sessions, renegotiated=renegotiated)) == [rules.NO_SESSIONS]


@pytest.mark.parametrize("sessions", [1, 5, 21, 56])
def test_a_renegotiation_allows_1_to_56_sessions(sessions):
    assert check_contract("standard", sessions, renegotiated=True, sessions_held=1).refusals == ()


def test_a_renegotiated_contract_of_57_sessions_is_refused():
    assert messages(check_contract("standard", 57, renegotiated=True)) == [rules.RENEGOTIATED_TOO_LONG]


def test_a_contract_cannot_plan_fewer_sessions_than_were_held():
    check = check_contract("standard", 8, renegotiated=True, sessions_held=9)
    assert messages(check) == [rules.FEWER_THAN_HELD]


def test_the_check_reports_the_bounds_that_applied_and_the_adaptations_default():
    first = check_contract("ipt_a", 12, renegotiated=False)
    renegotiated = check_contract("ipt_a", 12, renegotiated=True)
    assert (first.minimum, first.maximum, first.default_sessions) == (6, 20, 12)
    assert (renegotiated.minimum, renegotiated.maximum) == (1, 56)


def test_a_contract_outside_the_adaptations_usual_range_draws_a_caution():
    check = check_contract("standard", 8, renegotiated=False)
    assert check.refusals == ()
    assert [caution.code for caution in check.cautions] == ["outside_usual_range"]
    standard = protocol().adaptation("standard")
    expected = rules.OUTSIDE_USUAL_RANGE.format(adaptation="Standard IPT", sessions=standard.sessions, planned=8)
    assert check.cautions[0].message == expected


def test_an_adaptation_without_a_usual_range_draws_no_range_caution():
    assert check_contract("ipsrt", 6, renegotiated=False).cautions == ()


def test_a_renegotiated_contract_beyond_20_sessions_is_kept_for_continuation_or_maintenance():
    check = check_contract("ipt_m", 30, renegotiated=True)
    assert [caution.message for caution in check.cautions] == [rules.BEYOND_ACUTE]


def test_an_unknown_adaptation_raises_a_key_error():
    with pytest.raises(KeyError, match="cbt"):
        check_contract("cbt", 12, renegotiated=False)
