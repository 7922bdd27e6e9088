"""PHQ-9, checked against shared reference instruments.md §3 (and the §19 FHIR fixtures)."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import spread

PHQ9 = instrument("phq9")


def test_structure_items_options_and_loinc():
    assert len(PHQ9.items) == 10
    assert [item.number for item in PHQ9.scored_items] == list(range(1, 10))
    assert PHQ9.item(10).scored is False
    assert [item.loinc for item in PHQ9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8", "69722-7",
    ]  # fmt: skip
    for item in PHQ9.scored_items:
        assert [(o.score, o.text, o.loinc) for o in item.options] == [
            (0, "Not at all", "LA6568-5"),
            (1, "Several days", "LA6569-3"),
            (2, "More than half the days", "LA6570-1"),
            (3, "Nearly every day", "LA6571-9"),
        ]
    # LL359-1: the codes are not in numeric order [V].
    assert [o.loinc for o in PHQ9.item(10).options] == ["LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3"]
    assert (PHQ9.loinc_panel, PHQ9.loinc_total, PHQ9.score_range) == ("44249-1", "44261-6", (0, 27))
    assert accepted_answer_counts(PHQ9) == (9, 10)


def test_us_core_example_scores_12_moderate_without_risk():
    # HL7 US Core QuestionnaireResponse phq-9-example (§19.1): LA6570-1 x4, LA6569-3 x2, LA6570-1, LA6568-5 x2,
    # difficulty LA6573-5; its stated total is 12.
    result = score(PHQ9, [2, 2, 2, 2, 1, 1, 2, 0, 0, 1])
    assert (result.total, result.band, result.valid, result.critical) == (12, "moderate", True, ())


def test_sdc_example_recomputes_to_10_and_flags_item_9():
    # HL7 SDC example (§19.1): answers 0,0,0,1,2,1,3,2,1 sum to 10 (the QR wrongly states 13); item 9 = Several days.
    result = score(PHQ9, [0, 0, 0, 1, 2, 1, 3, 2, 1])
    assert (result.total, result.band, result.critical) == (10, "moderate", (9,))


def test_the_difficulty_item_is_not_scored():
    assert score(PHQ9, [1] * 9 + [3]).total == score(PHQ9, [1] * 9).total == 9


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none / minimal"),
        (4, "none / minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_bands(total, band):
    result = score(PHQ9, spread(total, [3] * 9))
    assert (result.total, result.band) == (total, band)


def test_item_9_at_1_raises_the_alert_whatever_the_total():
    result = score(PHQ9, [0] * 8 + [1])
    assert (result.total, result.band, result.critical, result.risk) == (1, "none / minimal", (9,), True)


@pytest.mark.parametrize("position", [1, 2, 3])
def test_every_positive_item_9_answer_is_critical(position):
    assert score(PHQ9, [0] * 8 + [position]).critical == (9,)


def test_a_high_total_without_item_9_raises_no_alert():
    result = score(PHQ9, [3] * 8 + [0])
    assert (result.total, result.band, result.critical, result.risk) == (24, "severe", (), False)


def test_two_missing_items_are_prorated():
    # Answered 1,1,1,1,2,2,0: mean 8/7 x 9 = 10.29 -> 10.
    result = score(PHQ9, [None, None, 1, 1, 1, 1, 2, 2, 0])
    assert (result.total, result.band, result.valid, result.prorated, result.missing) == (
        10, "moderate", True, True, (1, 2),
    )  # fmt: skip


def test_prorating_rounds_half_up():
    # 8 answered summing 4: 4/8 x 9 = 4.5 -> 5 (Python's round() would give 4).
    result = score(PHQ9, [None, 1, 1, 1, 1, 0, 0, 0, 0])
    assert (result.total, result.band, result.prorated) == (5, "mild", True)


def test_three_missing_items_make_the_total_invalid():
    result = score(PHQ9, [None, None, None, 1, 1, 1, 1, 1, 1])
    assert (result.total, result.band, result.valid, result.missing) == (None, None, False, (1, 2, 3))
    assert result.reasons


def test_a_missing_item_9_is_reported_as_not_answered_never_as_0():
    result = score(PHQ9, [1, 1, 1, 1, 1, 1, 1, 1, None])
    assert result.critical == ()
    assert result.critical_not_answered == (9,)
    assert result.item_scores[8] is None
    assert 9 in result.missing


def test_a_blank_item_9_is_never_prorated_into_a_valid_total():
    # Eight 3s and item 9 blank would prorate to a valid 27; the risk item is never filled in (instruments.md §3),
    # and the reference gives no PHQ-8 bands to score items 1-8 alone, so there is no valid total.
    result = score(PHQ9, [3] * 8 + [None])
    assert (result.total, result.band, result.valid, result.prorated) == (None, None, False, False)
    assert result.critical_not_answered == (9,)
    assert result.reasons == ("risk item 9 not answered: a risk item is never filled in by prorating",)


def test_a_blank_item_9_with_another_gap_gives_both_reasons():
    result = score(PHQ9, [None, None, None, 1, 1, 1, 1, 1, None])
    assert result.valid is False
    assert result.reasons == (
        "4 items unanswered; at most 2 allowed",
        "risk item 9 not answered: a risk item is never filled in by prorating",
    )


def test_item_9_is_flagged_even_when_the_total_is_invalid():
    result = score(PHQ9, [None] * 8 + [2])
    assert (result.valid, result.critical, result.critical_not_answered) == (False, (9,), ())


@pytest.mark.parametrize("answers", [[0] * 8, [0] * 11, [0] * 8 + [4], [0] * 8 + [-1], [0] * 9 + [4]])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(PHQ9, answers)
