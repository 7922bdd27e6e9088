"""EDE-Q 6.0, checked against shared reference instruments.md §18 (structure and scoring only: the text is local).

The reference gives no published worked example, so the expected scores are worked out by hand from its keys."""

from collections.abc import Mapping

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, parse_instrument, score
from iptriad.core.instruments.loader import DefinitionError
from iptriad.core.outcomes import CHANGE_CONVENTIONS, Direction

EDEQ = instrument("edeq")
RATED = [*range(1, 13), *range(19, 29)]
COUNTS = list(range(13, 19))
RESTRAINT, EATING, SHAPE, WEIGHT = (
    [1, 2, 3, 4, 5],
    [7, 9, 19, 20, 21],
    [6, 8, 10, 11, 23, 26, 27, 28],
    [8, 12, 22, 24, 25],
)


def answers(rated: Mapping[int, int | None], *, default: int | None = 0, counts: int | None = 0) -> list[int | None]:
    """28 answers: rated items at `default` unless given, the six counts at `counts`."""
    return [counts if n in COUNTS else rated.get(n, default) for n in range(1, 29)]


def test_structure_without_text():
    assert len(EDEQ.items) == 28  # [M]
    assert accepted_answer_counts(EDEQ) == (28,)
    assert (EDEQ.item_text, EDEQ.stem, EDEQ.respondent, EDEQ.recall_period) == ("local", None, "self", "past 28 days")
    assert [item.number for item in EDEQ.scored_items] == RATED  # 22 rated items
    for number in RATED:
        item = EDEQ.item(number)
        assert [option.score for option in item.options] == [0, 1, 2, 3, 4, 5, 6]
        assert (item.text, item.count) == (None, None)
    for number in COUNTS:
        item = EDEQ.item(number)
        assert (item.is_count, item.scored, item.options, item.text) == (True, False, (), None)
    assert (EDEQ.score_range, EDEQ.loinc_panel, EDEQ.loinc_total, EDEQ.critical_items) == ((0, 6), None, None, ())


def test_subscale_keys_as_the_reference_gives_them():
    keys = {subscale.code: list(subscale.items) for subscale in EDEQ.subscales}
    assert keys == {"restraint": RESTRAINT, "eating_concern": EATING, "shape_concern": SHAPE, "weight_concern": WEIGHT}
    assert sorted({n for items in keys.values() for n in items}) == RATED  # item 8 in Shape and Weight
    assert [subscale.min_answered for subscale in EDEQ.subscales] == [3, 3, 5, 3]  # more than half


def test_subscales_are_item_means_and_the_global_is_their_mean():
    # Restraint all 6 -> 6; Eating Concern all 3 -> 3; Shape Concern items at 2 except item 8 at 6 -> 20/8 = 2.5;
    # Weight Concern items at 0 except item 8 at 6 -> 6/5 = 1.2. Global (6 + 3 + 2.5 + 1.2) / 4 = 3.175 -> 3.18.
    rated = dict.fromkeys(RESTRAINT, 6) | dict.fromkeys(EATING, 3) | dict.fromkeys(SHAPE, 2) | dict.fromkeys(WEIGHT, 0)
    rated[8] = 6
    result = score(EDEQ, answers(rated, counts=4))
    assert result.subscales == {"restraint": 6, "eating_concern": 3, "shape_concern": 2.5, "weight_concern": 1.2}
    assert (result.total, result.valid, result.band, result.critical) == (
        3.18, True, "below the clinical-significance cut-off", (),
    )  # fmt: skip


def test_the_global_rounds_half_up_once_from_the_exact_subscale_means():
    # Subscales 1, 1.6, 1.5, 1.6: global exactly 1.425 -> 1.43 (floating point would give 1.42).
    result = score(EDEQ, answers(dict.fromkeys(range(19, 29), 2), default=1))
    assert result.subscales == {"restraint": 1, "eating_concern": 1.6, "shape_concern": 1.5, "weight_concern": 1.6}
    assert result.total == 1.43


@pytest.mark.parametrize(
    ("every_item", "total", "band"),
    [(0, 0, "below the clinical-significance cut-off"), (3, 3, "below the clinical-significance cut-off"),
     (4, 4, "clinically significant range"), (6, 6, "clinically significant range")],
)  # fmt: skip
def test_clinical_significance_from_a_global_of_4(every_item, total, band):
    result = score(EDEQ, answers({}, default=every_item))
    assert (result.total, result.band) == (total, band)


def test_counts_are_recorded_but_never_change_a_score():
    quiet, busy = score(EDEQ, answers({}, default=2, counts=0)), score(EDEQ, answers({}, default=2, counts=999))
    assert (quiet.total, quiet.subscales) == (busy.total, busy.subscales)
    assert busy.item_scores[12:18] == (None,) * 6


def test_a_blank_count_is_missing_but_leaves_the_scores_valid():
    result = score(EDEQ, answers({}, default=2, counts=None))
    assert (result.valid, result.total, result.missing) == (True, 2, tuple(COUNTS))


@pytest.mark.parametrize("count", [-1, 1000])
def test_a_count_out_of_range_is_refused(count):
    with pytest.raises(AnswerError, match="item 13: the count"):
        score(EDEQ, answers({}, counts=0)[:12] + [count] + [0] * 15)


def test_a_subscale_with_more_than_half_its_items_is_scored_from_those_answered():
    rated = {1: 6, 2: 6, 3: 6, 4: None, 5: None}  # 3 of 5 Restraint items
    result = score(EDEQ, answers(rated))
    assert (result.subscales["restraint"], result.valid, result.total) == (6, True, 1.5)
    assert result.missing == (4, 5)


def test_a_subscale_with_half_or_fewer_items_is_not_scored_and_the_global_is_invalid():
    rated = {6: None, 8: None, 10: None, 11: None}  # Shape Concern: 4 of 8 answered, 5 needed
    result = score(EDEQ, answers(rated, default=1))
    assert result.subscales["shape_concern"] is None
    assert result.subscales["weight_concern"] == 1  # 4 of 5 answered
    assert (result.total, result.band, result.valid) == (None, None, False)
    assert result.reasons == ("Shape Concern: 4 of 8 items answered; 5 needed",)


def test_change_is_reported_without_thresholds_the_reference_does_not_give():
    convention = CHANGE_CONVENTIONS["edeq"]
    assert (convention.direction, convention.raw_range, convention.unit) == (
        Direction.LOWER_IS_BETTER,
        (0, 6),
        "points",
    )
    assert (convention.reliable_change, convention.caseness, convention.response_reduction, convention.remission) == (
        None, None, None, None,
    )  # fmt: skip


COUNT_DEFINITION = """
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

[missing]
policy = "invalid"

[option_sets]
yes_no = [{{ score = 1 }}, {{ score = 0 }}]

[[items]]
number = 1
options = "yes_no"

[[items]]
number = 2
{count}
"""


@pytest.mark.parametrize(
    "count",
    [
        'count = { max = 0, source = "x" }',
        "count = { max = 10 }",
        'count = { max = 10, source = "x" }\nscored = true',
        'count = { max = 10, source = "x" }\noptions = "yes_no"',
    ],
    ids=["max below 1", "no source", "scored", "with options"],
)
def test_a_malformed_count_item_is_refused(count):
    with pytest.raises(DefinitionError):
        parse_instrument(COUNT_DEFINITION.format(count=count), "demo.toml")


def test_a_well_formed_count_item_is_accepted():
    definition = parse_instrument(COUNT_DEFINITION.format(count='count = { max = 10, source = "x" }'), "demo.toml")
    assert definition.item(2).count is not None
