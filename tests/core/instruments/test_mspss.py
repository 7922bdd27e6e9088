"""MSPSS (mean scoring, 1-7), checked against shared reference instruments.md §9."""

import pytest

from iptriad.core.instruments import accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import positions

MSPSS = instrument("mspss")
SIGNIFICANT_OTHER, FAMILY, FRIENDS = (1, 2, 5, 10), (3, 4, 8, 11), (6, 7, 9, 12)


Scores = list[int | None]


def scores_by_subscale(significant_other: Scores, family: Scores, friends: Scores) -> Scores:
    """Twelve item scores from each subscale's four item scores."""
    scores: Scores = [None] * 12
    for numbers, values in ((SIGNIFICANT_OTHER, significant_other), (FAMILY, family), (FRIENDS, friends)):
        for number, value in zip(numbers, values, strict=True):
            scores[number - 1] = value
    return scores


def test_structure():
    assert len(MSPSS.items) == 12
    assert accepted_answer_counts(MSPSS) == (12,)
    for item in MSPSS.items:
        assert [(o.score, o.text) for o in item.options] == [
            (1, "Very Strongly Disagree"),
            (2, "Strongly Disagree"),
            (3, "Mildly Disagree"),
            (4, "Neutral"),
            (5, "Mildly Agree"),
            (6, "Strongly Agree"),
            (7, "Very Strongly Agree"),
        ]
    assert MSPSS.item(1).text == "There is a special person who is around when I am in need."
    assert MSPSS.item(12).text == "I can talk about my problems with my friends."
    assert {s.code: s.items for s in MSPSS.subscales} == {
        "significant_other": SIGNIFICANT_OTHER,
        "family": FAMILY,
        "friends": FRIENDS,
    }
    assert (MSPSS.score_range, MSPSS.higher_is_better) == ((1, 7), True)
    assert MSPSS.critical_items == ()


def test_total_and_subscales_are_means():
    result = score(MSPSS, positions(MSPSS, scores_by_subscale([7, 7, 6, 6], [2, 3, 3, 2], [5, 4, 4, 4])))
    assert result.total == 4.42  # 53 / 12 = 4.4167
    assert result.subscales == {"significant_other": 6.5, "family": 2.5, "friends": 4.25}
    assert result.band == "moderate"
    assert score(MSPSS, [6] * 12).total == 7
    assert score(MSPSS, [0] * 12).total == 1


@pytest.mark.parametrize(
    ("item_scores", "mean", "band"),
    [
        ([1] * 12, 1, "low"),
        ([3] * 11 + [2], 2.92, "low"),  # 35 / 12
        ([3] * 12, 3, "moderate"),
        ([5] * 12, 5, "moderate"),
        ([5] * 11 + [6], 5.08, "moderate"),  # 61 / 12 = 5.083: in the 5.0-5.1 gap, so still moderate
        ([5] * 10 + [6, 6], 5.17, "high"),  # 62 / 12
        ([7] * 12, 7, "high"),
    ],
)
def test_bands_on_the_mean(item_scores, mean, band):
    result = score(MSPSS, positions(MSPSS, item_scores))
    assert (result.total, result.band) == (mean, band)


def test_a_mean_of_exactly_5_1_is_high():
    result = score(MSPSS, positions(MSPSS, [None, None] + [5] * 9 + [6]))  # 51 / 10
    assert (result.total, result.band, result.valid) == (5.1, "high", True)


def test_the_total_needs_10_of_12_items():
    ten = score(MSPSS, positions(MSPSS, [None, 4, None, 4, 4, 4, 4, 4, 4, 4, 4, 7]))
    assert (ten.total, ten.valid, ten.missing, ten.prorated) == (4.3, True, (1, 3), False)
    nine = score(MSPSS, positions(MSPSS, [None, 4, None, 4, None, 4, 4, 4, 4, 4, 4, 7]))
    assert (nine.total, nine.band, nine.valid) == (None, None, False)


def test_a_subscale_needs_3_of_its_4_items():
    three = score(MSPSS, positions(MSPSS, scores_by_subscale([7, 6, 6, None], [2, 2, 2, 2], [5, 5, 5, 5])))
    assert three.subscales == {"significant_other": 6.33, "family": 2, "friends": 5}  # 19 / 3 = 6.33
    two = score(MSPSS, positions(MSPSS, scores_by_subscale([7, 6, 6, 6], [2, None, None, 2], [5, 5, 5, 5])))
    assert two.subscales == {"significant_other": 6.25, "family": None, "friends": 5}
    assert (two.total, two.valid) == (4.9, True)  # 49 / 10


def test_subscales_are_scored_even_when_the_total_is_not():
    scores = scores_by_subscale([7, 7, 7, None], [2, 2, 2, None], [5, 5, 5, None])
    result = score(MSPSS, positions(MSPSS, scores))
    assert (result.total, result.valid) == (None, False)
    assert result.subscales == {"significant_other": 7, "family": 2, "friends": 5}
