"""PHQ-2, checked against shared reference instruments.md §4 (items 1-2 of the PHQ-9, §3)."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score

PHQ2 = instrument("phq2")
PHQ9 = instrument("phq9")


def test_items_are_phq9_items_1_and_2_with_the_same_text_options_and_loinc():
    assert len(PHQ2.items) == 2
    for number in (1, 2):
        assert (PHQ2.item(number).text, PHQ2.item(number).loinc, PHQ2.item(number).options) == (
            PHQ9.item(number).text,
            PHQ9.item(number).loinc,
            PHQ9.item(number).options,
        )
    assert [o.score for o in PHQ2.item(1).options] == [0, 1, 2, 3]
    assert [item.loinc for item in PHQ2.items] == ["44250-9", "44255-8"]
    assert PHQ2.stem == PHQ9.stem
    assert (PHQ2.loinc_panel, PHQ2.loinc_total, PHQ2.score_range) == ("55757-9", "55758-7", (0, 6))
    assert accepted_answer_counts(PHQ2) == (2,)


def test_it_is_not_a_suicide_screen():
    assert PHQ2.critical_items == ()
    assert score(PHQ2, [3, 3]).critical == ()


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0], 0, "negative screen"),
        ([1, 1], 2, "negative screen"),
        ([2, 0], 2, "negative screen"),
        ([2, 1], 3, "positive screen (complete the PHQ-9)"),
        ([0, 3], 3, "positive screen (complete the PHQ-9)"),
        ([3, 3], 6, "positive screen (complete the PHQ-9)"),
    ],
)
def test_totals_and_the_cut_off_at_3(answers, total, band):
    result = score(PHQ2, answers)
    assert (result.total, result.band, result.valid) == (total, band, True)


@pytest.mark.parametrize("answers", [[None, 3], [3, None], [None, None]])
def test_either_item_missing_makes_the_score_invalid(answers):
    result = score(PHQ2, answers)
    assert (result.total, result.band, result.valid, result.prorated) == (None, None, False, False)


@pytest.mark.parametrize("answers", [[0], [0, 0, 0], [0, 4]])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(PHQ2, answers)
