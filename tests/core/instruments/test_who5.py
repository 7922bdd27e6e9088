"""WHO-5 Well-Being Index, checked against shared reference instruments.md §13."""

import pytest

from iptriad.core.instruments import accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import positions, spread

WHO5 = instrument("who5")


def test_structure_options_printed_all_of_the_time_first():
    assert len(WHO5.items) == 5
    assert accepted_answer_counts(WHO5) == (5,)
    for item in WHO5.items:
        assert [(o.score, o.text) for o in item.options] == [
            (5, "All of the time"),
            (4, "Most of the time"),
            (3, "More than half of the time"),
            (2, "Less than half of the time"),
            (1, "Some of the time"),
            (0, "At no time"),
        ]
    assert WHO5.item(1).text == "I have felt cheerful and in good spirits."
    assert (WHO5.score_range, WHO5.higher_is_better, WHO5.percentage_factor) == ((0, 25), True, 4)
    assert WHO5.critical_items == ()


def test_position_0_scores_5_and_the_percentage_is_raw_times_4():
    best = score(WHO5, [0] * 5)
    assert (best.total, best.derived, best.band) == (25, {"percentage": 100}, "no indication of poor well-being")
    worst = score(WHO5, [5] * 5)
    assert (worst.total, worst.derived, worst.band) == (0, {"percentage": 0}, "likely depression")


@pytest.mark.parametrize(
    ("raw", "percentage", "band"),
    [
        (0, 0, "likely depression"),
        (7, 28, "likely depression"),  # percentage <= 28 [V]
        (8, 32, "poor well-being"),
        (12, 48, "poor well-being"),  # raw < 13, percentage <= 50 [V]
        (13, 52, "no indication of poor well-being"),
        (25, 100, "no indication of poor well-being"),
    ],
)
def test_bands_on_the_raw_total(raw, percentage, band):
    result = score(WHO5, positions(WHO5, spread(raw, [5] * 5)))
    assert (result.total, result.derived["percentage"], result.band) == (raw, percentage, band)


@pytest.mark.parametrize("missing", range(5))
def test_any_missing_item_makes_the_total_invalid_without_a_percentage(missing):
    answers: list[int | None] = [0] * 5
    answers[missing] = None
    result = score(WHO5, answers)
    assert (result.total, result.band, result.valid, result.derived) == (None, None, False, {})
