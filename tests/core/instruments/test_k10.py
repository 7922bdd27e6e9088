"""K10 (Australian 1-5 scoring, total 10-50), checked against shared reference instruments.md §12."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import positions, spread

K10 = instrument("k10")


def test_structure_and_options_scored_1_to_5_in_printed_order():
    assert len(K10.items) == 10
    assert accepted_answer_counts(K10) == (10,)
    for item in K10.items:
        assert [(o.score, o.text) for o in item.options] == [
            (1, "None of the time"),
            (2, "A little of the time"),
            (3, "Some of the time"),
            (4, "Most of the time"),
            (5, "All of the time"),
        ]
    assert K10.item(4).text == "… hopeless?"
    assert K10.item(10).text == "… worthless?"
    assert K10.score_range == (10, 50)
    assert "© World Health Organization 2003" in K10.licence
    assert "© World Health Organization 2003" in K10.citation
    assert "Kessler" in K10.citation
    assert K10.critical_items == ()


def test_totals():
    assert score(K10, [0] * 10).total == 10
    assert score(K10, [4] * 10).total == 50
    assert score(K10, [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]).total == 30


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (10, "likely to be well"),
        (19, "likely to be well"),
        (20, "mild disorder"),
        (24, "mild disorder"),
        (25, "moderate disorder"),
        (29, "moderate disorder"),
        (30, "severe disorder"),
        (50, "severe disorder"),
    ],
)
def test_crufad_bands(total, band):
    scores = [1 + extra for extra in spread(total - 10, [4] * 10)]
    result = score(K10, positions(K10, scores))
    assert (result.total, result.band) == (total, band)


def test_one_missing_item_is_imputed_as_the_mean_of_the_other_nine():
    # Nine answered items scoring 1,1,2,2,2,3,3,3,3 = 20: imputed item 20/9 = 2.22, total 22.2 -> 22.
    result = score(K10, positions(K10, [1, 1, 2, 2, None, 2, 3, 3, 3, 3]))
    assert (result.total, result.band, result.valid, result.prorated, result.missing) == (
        22, "mild disorder", True, True, (5,),
    )  # fmt: skip


def test_imputation_rounds_half_up_across_a_band_boundary():
    # Nine answered items summing 22: 22/9 x 10 = 24.44 -> 24 (mild); summing 23: 25.56 -> 26 (moderate).
    assert score(K10, positions(K10, [None, 2, 2, 2, 2, 2, 3, 3, 3, 3])).total == 24
    assert score(K10, positions(K10, [None, 2, 2, 2, 2, 3, 3, 3, 3, 3])).band == "moderate disorder"


def test_two_missing_items_make_the_total_invalid():
    result = score(K10, [None, None, 2, 2, 2, 2, 2, 2, 2, 2])
    assert (result.total, result.band, result.valid) == (None, None, False)


def test_hopeless_all_of_the_time_is_not_a_critical_item():
    assert score(K10, [0, 0, 0, 4, 0, 0, 0, 0, 0, 4]).critical == ()


@pytest.mark.parametrize("answers", [[0] * 9, [0] * 11, [5] + [0] * 9])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(K10, answers)
