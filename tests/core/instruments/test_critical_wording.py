"""What the client's thank-you page says they answered: one plain, truthful sentence per critical item."""

from __future__ import annotations

import pytest

from iptriad.core.instruments import DefinitionError, instrument, instruments, parse_instrument

SELF_REPORT_WITH_CRITICAL_ITEMS = sorted(
    code for code, definition in instruments().items() if definition.respondent == "self" and definition.critical_items
)


def wording(code: str, number: int) -> str:
    rule = instrument(code).item(number).critical
    assert rule is not None
    assert rule.client_wording is not None
    return rule.client_wording


def test_the_self_report_instruments_with_critical_items_are_the_ones_the_reference_names():
    assert SELF_REPORT_WITH_CRITICAL_ITEMS == ["epds", "phq9", "phqa"]


@pytest.mark.parametrize("code", SELF_REPORT_WITH_CRITICAL_ITEMS)
def test_every_critical_item_a_client_answers_has_its_own_wording(code):
    for item in instrument(code).critical_items:
        said = wording(code, item.number)
        assert said.startswith("You said "), (code, item.number)
        assert said.endswith("."), (code, item.number)


def test_a_lifetime_attempt_is_not_worded_as_thoughts_of_harm():
    attempt = wording("phqa", 13)
    assert "tried to end your life" in attempt
    assert "thoughts" not in attempt
    assert "past month" in wording("phqa", 12)
    assert "better off dead" in wording("phqa", 9)


def test_the_clinician_rated_scale_needs_no_client_wording():
    suicide = instrument("hamd17").item(3).critical
    assert suicide is not None
    assert suicide.client_wording is None


DEFINITION = """
code = "demo"
version = "1.0.0"
name = "Demo"
short_name = "Demo"
respondent = "self"
audience = "adults"
recall_period = "past week"
scoring = "sum"
score_range = [0, 1]
higher_is_better = false
item_text = "shipped"
licence = "free"
citation = "none"
sources = ["test"]

[missing]
policy = "invalid"

[option_sets]
yes_no = [{{ score = 1, text = "Yes" }}, {{ score = 0, text = "No" }}]

[[items]]
number = 1
text = "Question?"
options = "yes_no"
{item}
"""


def test_the_wording_is_read_with_the_critical_rule():
    item = 'critical = { min_score = 1, source = "test" }\ncritical_wording = "You said yes."'
    rule = parse_instrument(DEFINITION.format(item=item), "demo.toml").item(1).critical
    assert rule is not None
    assert rule.client_wording == "You said yes."


def test_a_wording_without_a_critical_rule_is_refused():
    with pytest.raises(DefinitionError, match="only for a critical item"):
        parse_instrument(DEFINITION.format(item='critical_wording = "You said yes."'), "demo.toml")
