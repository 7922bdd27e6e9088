"""PHQ-A (PHQ-9 Modified for Teens), checked against shared reference instruments.md §5."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import spread

PHQA = instrument("phqa")
YES, NO = 0, 1  # printed "Yes / No" [V]
NO_EXTRAS = [NO, 0, NO, NO]  # items 10-13: No, Not difficult at all, No, No


def test_structure():
    assert len(PHQA.items) == 13
    assert [item.number for item in PHQA.scored_items] == list(range(1, 10))
    assert PHQA.item(1).text == "Feeling down, depressed, irritable, or hopeless?"  # order differs from PHQ-9 [V]
    assert PHQA.item(2).text == "Little interest or pleasure in doing things?"
    for item in PHQA.scored_items:
        assert [(o.score, o.text, o.loinc) for o in item.options] == [
            (0, "Not at all", "LA6568-5"),
            (1, "Several days", "LA6569-3"),
            (2, "More than half the days", "LA6570-1"),
            (3, "Nearly every day", "LA6571-9"),
        ]
    for number in (10, 12, 13):
        assert [(o.score, o.text) for o in PHQA.item(number).options] == [(1, "Yes"), (0, "No")]
        assert PHQA.item(number).scored is False
    assert [o.text for o in PHQA.item(11).options] == [
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult",
    ]  # fmt: skip
    assert PHQA.item(11).scored is False
    assert "past year" in (PHQA.item(10).text or "")
    assert "past month" in (PHQA.item(12).text or "")
    assert "EVER" in (PHQA.item(13).text or "")
    assert (PHQA.loinc_panel, PHQA.loinc_total, PHQA.score_range) == ("89206-7", "89204-2", (0, 27))
    assert [item.number for item in PHQA.critical_items] == [9, 12, 13]
    assert accepted_answer_counts(PHQA) == (13,)  # the suicide questions 12 and 13 may not be left off


def test_the_extra_questions_do_not_change_the_total():
    assert score(PHQA, [1] * 9 + NO_EXTRAS).total == score(PHQA, [1] * 9 + [NO, 3, NO, NO]).total == 9


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
def test_bands_as_phq9(total, band):
    result = score(PHQA, spread(total, [3] * 9) + NO_EXTRAS)
    assert (result.total, result.band) == (total, band)


def test_item_9_at_1_is_critical_whatever_the_total():
    result = score(PHQA, [0] * 8 + [1, *NO_EXTRAS])
    assert (result.total, result.critical) == (1, (9,))


@pytest.mark.parametrize("number", [12, 13])
def test_yes_to_a_suicide_question_is_critical_whatever_the_total(number):
    answers = [0] * 9 + NO_EXTRAS
    answers[number - 1] = YES
    result = score(PHQA, answers)
    assert (result.total, result.band, result.critical) == (0, "none / minimal", (number,))


def test_no_to_the_suicide_questions_and_yes_to_the_dysthymia_question_raise_no_alert():
    assert score(PHQA, [3] * 8 + [0, YES, 3, NO, NO]).critical == ()


def test_all_three_critical_answers_are_flagged_together():
    assert score(PHQA, [0] * 8 + [3, NO, 0, YES, YES]).critical == (9, 12, 13)


def test_a_yes_is_flagged_even_when_every_other_item_is_missing():
    result = score(PHQA, [None] * 12 + [YES])
    assert (result.valid, result.critical, result.critical_not_answered) == (False, (13,), (9, 12))


def test_missing_critical_items_are_reported_as_not_answered():
    result = score(PHQA, [0] * 8 + [None, NO, 0, None, None])
    assert (result.critical, result.critical_not_answered) == ((), (9, 12, 13))
    assert result.item_scores[8] is None


def test_two_missing_items_are_prorated_and_three_are_invalid():
    # Answered 2,2,2,2,1,1,0: mean 10/7 x 9 = 12.86 -> 13.
    prorated = score(PHQA, [None, None, 2, 2, 2, 2, 1, 1, 0, *NO_EXTRAS])
    assert (prorated.total, prorated.band, prorated.prorated) == (13, "moderate", True)
    invalid = score(PHQA, [None, None, None, 2, 2, 1, 1, 0, 0, *NO_EXTRAS])
    assert (invalid.total, invalid.valid) == (None, False)


def test_a_blank_item_9_is_never_prorated_into_a_valid_total():
    result = score(PHQA, [3] * 8 + [None, *NO_EXTRAS])
    assert (result.total, result.valid, result.prorated, result.critical_not_answered) == (None, False, False, (9,))
    assert result.reasons == ("risk item 9 not answered: a risk item is never filled in by prorating",)


def test_missing_extra_questions_do_not_invalidate_the_total():
    result = score(PHQA, [1] * 9 + [None, None, NO, NO])
    assert (result.total, result.valid, result.missing) == (9, True, (10, 11))


@pytest.mark.parametrize("answers", [[0] * 10, [0] * 12, [0] * 9 + [NO, 0, NO, 2]])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(PHQA, answers)


def test_leaving_off_the_suicide_questions_is_refused_or_reported():
    try:
        result = score(PHQA, [0] * 9)
    except AnswerError:
        return
    assert result.critical_not_answered == (12, 13)
