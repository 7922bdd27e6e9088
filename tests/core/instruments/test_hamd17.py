"""HAM-D 17 (clinician-rated), checked against shared reference instruments.md §10."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import spread

HAMD = instrument("hamd17")
# [V] CamCOPS: Q1-3 and 7-11, 15 are 0-4; Q4-6 and 12-14 are 0-2; Q16-17 are 0-2.
MAXIMA = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]
NOT_ASSESSED = 3  # item 16's fourth option


def test_structure_and_ranges():
    assert len(HAMD.items) == 17
    assert accepted_answer_counts(HAMD) == (17,)
    assert HAMD.respondent == "clinician"
    for item, maximum in zip(HAMD.items, MAXIMA, strict=True):
        scores = [o.score for o in item.options]
        if item.number == 16:
            assert scores == [0, 1, 2, None]
            assert item.options[NOT_ASSESSED].text == "Not assessed"
        else:
            assert scores == list(range(maximum + 1))
        assert item.text
        assert all(o.text for o in item.options)
    assert HAMD.item(3).text == "Suicide"
    assert HAMD.item(3).options[4].text == "Attempts at suicide (any serious attempt rates 4)."
    assert sum(MAXIMA) == 52
    assert HAMD.score_range == (0, 52)


def test_totals():
    assert score(HAMD, [0] * 17).total == 0
    assert score(HAMD, MAXIMA).total == 52


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none"),
        (7, "none"),
        (8, "mild"),
        (13, "mild"),
        (14, "moderate"),
        (18, "moderate"),
        (19, "severe"),
        (22, "severe"),
        (23, "very severe"),
        (52, "very severe"),
    ],
)
def test_camcops_bands(total, band):
    # Fill from the last item backwards, so item 3 stays at 0 and no alert is mixed in below 49.
    scores = spread(total, MAXIMA[::-1])[::-1]
    result = score(HAMD, scores)
    assert (result.total, result.band) == (total, band)


def test_item_16_not_assessed_is_excluded_from_the_total_not_missing():
    result = score(HAMD, [1] * 15 + [NOT_ASSESSED, 1])
    assert (result.total, result.valid, result.missing, result.prorated) == (16, True, (), False)
    assert result.item_scores[15] is None


def test_a_missing_item_16_makes_the_total_invalid():
    result = score(HAMD, [1] * 15 + [None, 1])
    assert (result.total, result.valid, result.missing) == (None, False, (16,))


@pytest.mark.parametrize("number", [1, 9, 17])
def test_any_missing_item_makes_the_total_invalid(number):
    answers: list[int | None] = [1] * 17
    answers[number - 1] = None
    result = score(HAMD, answers)
    assert (result.total, result.band, result.valid) == (None, None, False)


@pytest.mark.parametrize(("item_3", "critical"), [(0, ()), (1, (3,)), (2, (3,)), (3, (3,)), (4, (3,))])
def test_item_3_from_1_feels_life_is_not_worth_living_is_critical_whatever_the_total(item_3, critical):
    # Anchor 1 is "Feels life is not worth living" [V]; it alerts as PHQ-9 item 9 does from "several days".
    answers = [0] * 17
    answers[2] = item_3
    result = score(HAMD, answers)
    assert (result.total, result.band, result.critical) == (item_3, "none", critical)


def test_item_3_is_flagged_even_when_other_items_are_missing_and_never_imputed():
    flagged = score(HAMD, [None, None, 2] + [None] * 14)
    assert (flagged.valid, flagged.critical) == (False, (3,))
    missing = score(HAMD, [0, 0, None] + [0] * 14)
    assert (missing.critical, missing.critical_not_answered) == ((), (3,))


@pytest.mark.parametrize("answers", [[0] * 16, [0] * 18, [0, 0, 0, 3] + [0] * 13, [0] * 15 + [4, 0]])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(HAMD, answers)
