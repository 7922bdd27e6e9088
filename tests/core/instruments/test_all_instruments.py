"""Properties every shipped instrument must have, an exhaustive PHQ-9 check, and the data files themselves."""

from __future__ import annotations

import itertools
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iptriad.core.instruments import (
    DefinitionError,
    Instrument,
    accepted_answer_counts,
    instrument,
    instruments,
    parse_instrument,
    score,
)

SHIPPED = {"phq9", "phq2", "phqa", "gad7", "epds", "wsas", "k10", "who5", "mspss", "hamd17", "srm5", "asrm", "edeq"}
SCORED = sorted(code for code, definition in instruments().items() if definition.scoring != "social_rhythm")
WITH_CRITICAL_ITEMS = sorted(code for code in SCORED if instrument(code).critical_items)
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)

# PHQ-9 bands from instruments.md §3, written out per total so the exhaustive test does not read the data file.
PHQ9_BAND = ["none / minimal"] * 5 + ["mild"] * 5 + ["moderate"] * 5 + ["moderately severe"] * 5 + ["severe"] * 8


def test_phq9_every_complete_answer_combination():
    """All 4**9 = 262,144 complete PHQ-9 answers: total = sum of positions, the band, and the item-9 alert."""
    phq9 = instrument("phq9")
    count = 0
    for answers in itertools.product(range(4), repeat=9):
        total = sum(answers)
        critical = (9,) if answers[8] >= 1 else ()
        result = score(phq9, answers)
        assert (result.total, result.band, result.critical, result.valid, result.missing) == (
            total, PHQ9_BAND[total], critical, True, (),
        ), answers  # fmt: skip
        count += 1
    assert count == 262_144


def _option_score(definition: Instrument, index: int, position: int | None) -> int | float | None:
    item = definition.items[index]
    return None if position is None or item.count is not None else item.options[position].score


def _positions(definition: Instrument, count: int, *, gaps: bool) -> st.SearchStrategy[list[int | None]]:
    per_item = []
    for item in definition.items[:count]:
        # A count item (EDE-Q 13-18) takes how many times, not a position.
        position = st.integers(0, item.count.maximum if item.count else len(item.options) - 1)
        per_item.append(st.none() | position if gaps else position)
    return st.tuples(*per_item).map(list)


def _answers(definition: Instrument, *, gaps: bool) -> st.SearchStrategy[list[int | None]]:
    counts = accepted_answer_counts(definition)
    return st.sampled_from(counts).flatmap(lambda count: _positions(definition, count, gaps=gaps))


@pytest.mark.parametrize("code", SCORED)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_complete_answers_give_a_valid_total_within_the_range_and_a_band(code, data):
    definition = instrument(code)
    result = score(definition, data.draw(_answers(definition, gaps=False)))
    low, high = definition.score_range
    assert result.valid
    assert result.total is not None
    assert low <= result.total <= high
    assert result.band is not None


@pytest.mark.parametrize("code", SCORED)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_raising_one_answer_never_lowers_the_total_or_a_subscale(code, data):
    definition = instrument(code)
    answers = data.draw(_answers(definition, gaps=True))
    before = score(definition, answers)
    for index, position in enumerate(answers):
        current = _option_score(definition, index, position)
        if current is None:
            continue
        for higher, option in enumerate(definition.items[index].options):
            if option.score is None or option.score <= current:
                continue
            raised = list(answers)
            raised[index] = higher
            after = score(definition, raised)
            assert after.valid == before.valid
            if before.total is not None:
                assert after.total is not None
                assert after.total >= before.total, (answers, index, higher)
            for name, value in before.subscales.items():
                if value is not None:
                    raised_value = after.subscales[name]
                    assert raised_value is not None
                    assert raised_value >= value


@pytest.mark.parametrize("code", SCORED)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_critical_flags_are_exactly_the_positive_answered_critical_items(code, data):
    definition = instrument(code)
    answers = data.draw(_answers(definition, gaps=True))
    result = score(definition, answers)
    asked = definition.items[: len(answers)]
    flagged = []
    for index, item in enumerate(asked):
        value = _option_score(definition, index, answers[index])
        if item.critical is not None and value is not None and value >= item.critical.min_score:
            flagged.append(item.number)
    assert result.critical == tuple(flagged)
    assert result.critical_not_answered == tuple(
        item.number for item, position in zip(asked, answers, strict=True) if item.critical and position is None
    )


@pytest.mark.parametrize("code", SCORED)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_missing_answers_never_raise_a_critical_flag(code, data):
    definition = instrument(code)
    full = data.draw(_answers(definition, gaps=False))
    blanked = [data.draw(st.sampled_from([position, None]), label=f"item {n + 1}") for n, position in enumerate(full)]
    with_gaps = score(definition, blanked)
    left_out = {n + 1 for n, position in enumerate(blanked) if position is None}
    assert set(with_gaps.critical) <= set(score(definition, full).critical)
    assert not set(with_gaps.critical) & left_out
    assert {item.number for item in definition.critical_items if item.number in left_out} == set(
        with_gaps.critical_not_answered
    )


@pytest.mark.parametrize("code", WITH_CRITICAL_ITEMS)
@PROPERTY_SETTINGS
@given(data=st.data())
def test_every_positive_critical_answer_is_flagged_whatever_else_is_missing(code, data):
    definition = instrument(code)
    answers = data.draw(_positions(definition, len(definition.items), gaps=True))
    forced = data.draw(st.sets(st.sampled_from([item.number for item in definition.critical_items]), min_size=1))
    for number in forced:
        item = definition.item(number)
        assert item.critical is not None
        positive = [
            index
            for index, option in enumerate(item.options)
            if option.score is not None and option.score >= item.critical.min_score
        ]
        answers[number - 1] = data.draw(st.sampled_from(positive), label=f"item {number}")
    result = score(definition, answers)
    assert forced <= set(result.critical)
    assert result.risk


def test_every_shipped_data_file_loads():
    names = sorted(
        entry.name
        for entry in resources.files("iptriad.core.instruments").joinpath("data").iterdir()
        if entry.name.endswith(".toml")
    )
    assert set(instruments()) >= SHIPPED
    assert sorted(f"{code}.toml" for code in instruments()) == names


@pytest.mark.parametrize("code", sorted(SHIPPED))
def test_every_definition_carries_its_sources(code):
    definition = instrument(code)
    assert definition.code == code
    assert definition.version == "1.0.0"
    for text in (definition.name, definition.short_name, definition.audience, definition.recall_period):
        assert text.strip()
    for text in (definition.licence, definition.citation, definition.bands_source, definition.missing.source):
        assert text.strip()
    assert definition.sources
    assert definition.notes
    for item in definition.items:
        if item.critical is not None:
            assert item.critical.source.strip()


@pytest.mark.parametrize("code", sorted(c for c in SHIPPED if instrument(c).item_text == "local"))
def test_local_instruments_carry_no_item_option_or_instruction_text(code):
    definition = instrument(code)
    assert definition.stem is None
    for item in definition.items:
        assert item.text is None
        # A not-applicable choice (WSAS "retired") carries iptriad's own label, not the form's wording.
        assert all(option.text is None for option in item.options if not option.not_applicable)


LOCAL = {"epds", "wsas", "asrm", "edeq"}  # restricted or unsettled licences (instruments.md §7, §8, §14, §18)


def test_the_local_instruments_are_the_restricted_ones():
    assert {code for code in SHIPPED if instrument(code).item_text == "local"} == LOCAL
    assert all(instrument(code).item_text == "shipped" for code in SHIPPED - LOCAL)


@pytest.mark.parametrize("code", SCORED)
def test_the_score_range_is_what_the_options_can_reach(code):
    definition = instrument(code)
    lows, highs = [], []
    for item in definition.scored_items:
        scores = [option.score for option in item.options if option.score is not None]
        lows.append(min(scores))
        highs.append(max(scores))
    if definition.scoring in ("mean", "mean_of_subscales"):
        assert definition.score_range == (min(lows), max(highs))
    else:
        assert definition.score_range == (sum(lows), sum(highs))


@pytest.mark.parametrize("code", SCORED)
def test_bands_cover_the_whole_range(code):
    definition = instrument(code)
    low, high = definition.score_range
    lowers = [band.lower for band in definition.bands]
    assert lowers == sorted(set(lowers))
    assert lowers[0] == low
    assert all(low <= lower <= high for lower in lowers)


@pytest.mark.parametrize("code", WITH_CRITICAL_ITEMS)
def test_every_critical_rule_can_fire_and_can_stay_quiet(code):
    for item in instrument(code).critical_items:
        assert item.critical is not None
        scores = [option.score for option in item.options if option.score is not None]
        assert max(scores) >= item.critical.min_score > min(scores)


LOCAL_WITH_TEXT = """
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
item_text = "local"
licence = "restricted"
citation = "none"
sources = ["test"]
{extra}

[missing]
policy = "invalid"

[option_sets]
yes_no = [{{ score = 1, {option_text} }}, {{ score = 0 }}]

[[items]]
number = 1
options = "yes_no"
"""


def test_a_local_definition_without_text_is_accepted():
    parse_instrument(LOCAL_WITH_TEXT.format(extra="", option_text='loinc = "LA33-6"'), "demo.toml")


@pytest.mark.parametrize(
    ("extra", "option_text"),
    [("", 'text = "Yes, most of the time"'), ('stem = "Please check the answer that comes closest"', 'loinc = "x"')],
    ids=["option text", "stem"],
)
def test_a_local_definition_with_option_text_or_a_stem_is_refused(extra, option_text):
    with pytest.raises(DefinitionError):
        parse_instrument(LOCAL_WITH_TEXT.format(extra=extra, option_text=option_text), "demo.toml")
