"""EPDS, checked against shared reference instruments.md §7 (structure and scoring only: the text is local)."""

import pytest

from iptriad.core.instruments import accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import positions, spread

EPDS = instrument("epds")
REVERSED = (3, 5, 6, 7, 8, 9, 10)  # [V] scored 3-2-1-0 down the page


def test_structure_without_text():
    assert len(EPDS.items) == 10
    assert accepted_answer_counts(EPDS) == (10,)
    assert EPDS.item_text == "local"
    assert EPDS.stem is None
    for item in EPDS.items:
        assert item.text is None
        assert all(option.text is None for option in item.options)
    # 99046-5 is of uncertain meaning [?]: not attached, so the FHIR export uses a local code for the total.
    assert (EPDS.loinc_panel, EPDS.loinc_total, EPDS.score_range) == ("71354-5", None, (0, 30))


@pytest.mark.parametrize("number", range(1, 11))
def test_keys_down_the_page(number):
    expected = [3, 2, 1, 0] if number in REVERSED else [0, 1, 2, 3]
    assert [option.score for option in EPDS.item(number).options] == expected


def test_position_0_on_item_3_scores_3():
    result = score(EPDS, [0, 0, 0, 0, 3, 3, 3, 3, 3, 3])  # item 3 top option, everything else scoring 0
    assert result.item_scores == (0, 0, 3, 0, 0, 0, 0, 0, 0, 0)
    assert result.total == 3


def test_all_top_options_and_all_bottom_options():
    assert score(EPDS, [0] * 10).total == 21  # the 7 reversed items score 3
    assert score(EPDS, [3] * 10).total == 9  # items 1, 2, 4 score 3
    assert score(EPDS, positions(EPDS, [3] * 10)).total == 30
    assert score(EPDS, positions(EPDS, [0] * 10)).total == 0


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "below threshold"),
        (9, "below threshold"),
        (10, "possible depression"),
        (12, "possible depression"),
        (13, "probable major depression"),
        (27, "probable major depression"),
    ],
)
def test_bands(total, band):
    scores = [*spread(total, [3] * 9), 0]  # keep item 10 at 0 so no alert is mixed in
    result = score(EPDS, positions(EPDS, scores))
    assert (result.total, result.band, result.critical) == (total, band, ())


@pytest.mark.parametrize(
    ("position", "item_score", "critical"), [(0, 3, (10,)), (1, 2, (10,)), (2, 1, (10,)), (3, 0, ())]
)
def test_item_10_at_1_or_more_is_critical_whatever_the_total(position, item_score, critical):
    answers = [*positions(EPDS, [0] * 9), position]
    result = score(EPDS, answers)
    assert (result.total, result.band, result.critical) == (item_score, "below threshold", critical)


def test_item_10_is_flagged_even_when_other_items_are_missing():
    result = score(EPDS, [None] * 9 + [2])
    assert (result.valid, result.critical) == (False, (10,))


def test_any_missing_item_makes_the_total_invalid():
    answers = positions(EPDS, [1, 1, None, 1, 1, 1, 1, 1, 1, 0])
    result = score(EPDS, answers)
    assert (result.total, result.band, result.valid, result.prorated, result.missing) == (
        None, None, False, False, (3,),
    )  # fmt: skip


def test_a_missing_item_10_is_reported_as_not_answered_never_as_0():
    result = score(EPDS, [*positions(EPDS, [1] * 9), None])
    assert (result.valid, result.critical, result.critical_not_answered) == (False, (), (10,))
    assert result.item_scores[9] is None


def test_anxiety_subscale_epds_3a_is_the_sum_of_items_3_4_5():
    result = score(EPDS, positions(EPDS, [0, 0, 3, 2, 1, 0, 0, 0, 0, 0]))
    assert result.subscales == {"anxiety": 6}
    assert result.total == 6
    missing = score(EPDS, positions(EPDS, [0, 0, 3, None, 1, 0, 0, 0, 0, 0]))
    assert missing.subscales == {"anxiety": None}
