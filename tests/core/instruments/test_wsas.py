"""WSAS, checked against shared reference instruments.md §8 (structure and scoring only: the text is local)."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import spread

WSAS = instrument("wsas")
RETIRED = 9  # item 1's 10th choice, after the printed 0-8


def test_structure_without_text():
    assert len(WSAS.items) == 5
    assert accepted_answer_counts(WSAS) == (5,)
    assert WSAS.item_text == "local"
    assert WSAS.stem is None
    for item in WSAS.items:
        assert item.text is None
        assert [(option.score, option.text) for option in item.options][:9] == [(n, None) for n in range(9)]
    assert [len(item.options) for item in WSAS.items] == [10, 9, 9, 9, 9]
    retired = WSAS.item(1).options[RETIRED]
    assert (retired.score, retired.not_applicable) == (None, True)
    assert retired.text == "Retired, or not working for reasons unrelated to the problem"
    assert WSAS.critical_items == ()
    assert WSAS.score_range == (0, 40)


def test_position_is_the_score():
    result = score(WSAS, [0, 2, 4, 6, 8])
    assert (result.item_scores, result.total) == ((0, 2, 4, 6, 8), 20)
    assert score(WSAS, [8] * 5).total == 40
    assert score(WSAS, [1, 3, 5, 7, 0]).total == 16  # odd values are allowed [V]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "subclinical"),
        (9, "subclinical"),
        (10, "significant functional impairment"),
        (20, "significant functional impairment"),
        (21, "moderately severe or worse"),
        (40, "moderately severe or worse"),
    ],
)
def test_bands_mundt_2002(total, band):
    result = score(WSAS, spread(total, [8] * 5))
    assert (result.total, result.band, result.critical) == (total, band, ())


@pytest.mark.parametrize("answers", [[None, 1, 1, 1, 1], [1, 1, 1, 1, None], [None] * 5])
def test_any_missing_item_makes_the_total_invalid(answers):
    result = score(WSAS, answers)
    assert (result.total, result.band, result.valid) == (None, None, False)


def test_retired_respondent_scores_items_2_to_5():
    # CamCOPS [V]: retired / not working for reasons unrelated to the problem -> items 2-5 only (max 32). The
    # 0-40 bands are applied unchanged (the reference gives no others).
    result = score(WSAS, [None, 8, 8, 8, 8], not_applicable=frozenset({1}))
    assert (result.total, result.valid, result.missing, result.prorated) == (32, True, (), False)
    assert result.band == "moderately severe or worse"
    assert result.basis == "items 2-5 only, out of 32 (item 1 does not apply)"


def test_the_retired_choice_on_item_1_scores_items_2_to_5_out_of_32():
    # The form's 10th choice on item 1 is the retirement box: not missing, left out, and the maximum said [M].
    result = score(WSAS, [RETIRED, 2, 4, 6, 8])
    assert (result.total, result.valid, result.missing, result.prorated) == (20, True, (), False)
    assert result.item_scores == (None, 2, 4, 6, 8)
    assert result.band == "significant functional impairment"
    assert result.basis == (
        "items 2-5 only, out of 32 (item 1 answered “Retired, or not working for reasons unrelated to the problem”)"
    )


def test_a_full_total_has_no_basis_to_explain():
    assert score(WSAS, [1, 2, 3, 4, 5]).basis == ""


@pytest.mark.parametrize("answers", [[0] * 4, [0] * 6, [10, 0, 0, 0, 0], [0, 9, 0, 0, 0]])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(WSAS, answers)
