"""The treatment contract: a first contract of the adaptation's minimum (6, or 3 for IPC and brief IPT) to 20
sessions; a renegotiation may shorten or extend it."""

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
    refused = messages(check_contract("standard", 5, renegotiated=False))
    assert refused == [rules.contract_too_short(protocol().adaptation("standard"))]
    assert refused[0].startswith("Plan at least 6 sessions: a first contract of Standard IPT plans 6 or more")


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


@pytest.mark.parametrize("adaptation", ["ipc", "ipt_est"])
@pytest.mark.parametrize("sessions", [3, 4, 5, 6])
def test_ipc_and_brief_ipt_are_contracted_from_3_sessions(adaptation, sessions):
    check = check_contract(adaptation, sessions, renegotiated=False)
    assert check.refusals == ()
    assert check.minimum == 3


@pytest.mark.parametrize(("adaptation", "name"), [("ipc", "Interpersonal counselling (IPC)"), ("ipt_est", "IPT-EST")])
def test_ipc_and_brief_ipt_refuse_a_first_contract_of_2_sessions_naming_their_minimum(adaptation, name):
    refused = messages(check_contract(adaptation, 2, renegotiated=False))
    assert len(refused) == 1
    assert refused[0].startswith("Plan at least 3 sessions: a first contract of ")
    assert name in refused[0]


@pytest.mark.parametrize("adaptation", ["standard", "ipt_a", "perinatal", "ipsrt", "ipt_bn", "telephone", "ipt_m"])
def test_acute_adaptations_keep_the_products_minimum_of_6(adaptation):
    assert protocol().adaptation(adaptation).contract_min == CONTRACT_MIN
    assert messages(check_contract(adaptation, 5, renegotiated=False)) == [
        rules.contract_too_short(protocol().adaptation(adaptation))
    ]


def test_every_adaptations_minimum_names_its_source():
    ipc = protocol().adaptation("ipc")
    assert "[S26c]" in ipc.contract_min_source
    assert "Design note" in protocol().adaptation("standard").contract_min_source
