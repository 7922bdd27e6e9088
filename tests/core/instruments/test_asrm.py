"""ASRM, checked against shared reference instruments.md §14 (structure and scoring only: the text is local)."""

import pytest

from iptriad.core.instruments import accepted_answer_counts, instrument, score
from iptriad.core.outcomes import CHANGE_CONVENTIONS, Direction

ASRM = instrument("asrm")


def test_structure_without_text():
    assert len(ASRM.items) == 5  # [V] 5 groups of 5 statements
    assert accepted_answer_counts(ASRM) == (5,)
    assert (ASRM.item_text, ASRM.stem, ASRM.respondent, ASRM.recall_period) == ("local", None, "self", "past week")
    for item in ASRM.items:
        assert item.text is None
        assert [option.score for option in item.options] == [0, 1, 2, 3, 4]  # position = score
        assert all(option.text is None for option in item.options)
    assert (ASRM.score_range, ASRM.loinc_panel, ASRM.loinc_total) == ((0, 20), None, None)  # no LOINC found


def test_no_critical_item():
    assert ASRM.critical_items == ()  # §14 "Critical item: none"


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        ([0, 0, 0, 0, 0], 0, "(hypo)mania unlikely"),
        ([1, 1, 1, 1, 1], 5, "(hypo)mania unlikely"),  # <= 5 unlikely [V]
        ([1, 1, 1, 1, 2], 6, "probable (hypo)mania"),  # >= 6 probable [V]
        ([4, 4, 4, 4, 4], 20, "probable (hypo)mania"),
    ],
)
def test_total_and_cut_off(answers, total, band):
    result = score(ASRM, answers)
    assert (result.total, result.band, result.valid, result.prorated, result.critical) == (total, band, True, False, ())


def test_one_missing_item_is_prorated():
    result = score(ASRM, [2, 2, None, 1, 1])  # mean 1.5 x 5 = 7.5, rounded half up
    assert (result.total, result.band, result.valid, result.prorated, result.missing) == (
        8, "probable (hypo)mania", True, True, (3,),
    )  # fmt: skip


def test_two_missing_items_make_the_total_invalid():
    result = score(ASRM, [2, None, None, 1, 1])
    assert (result.total, result.band, result.valid, result.missing) == (None, None, False, (2, 3))
    assert result.reasons == ("2 items unanswered; at most 1 allowed",)


def test_change_is_reported_without_thresholds_the_reference_does_not_give():
    convention = CHANGE_CONVENTIONS["asrm"]
    assert (convention.direction, convention.raw_range) == (Direction.LOWER_IS_BETTER, (0, 20))
    assert (convention.reliable_change, convention.caseness, convention.response_reduction, convention.remission) == (
        None, None, None, None,
    )  # fmt: skip
