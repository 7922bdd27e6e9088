"""GAD-7, checked against shared reference instruments.md §6."""

import pytest

from iptriad.core.instruments import AnswerError, accepted_answer_counts, instrument, score
from tests.core.instruments.helpers import spread

GAD7 = instrument("gad7")


def test_structure_items_options_and_loinc():
    assert len(GAD7.items) == 8
    assert [item.number for item in GAD7.scored_items] == list(range(1, 8))
    assert [item.loinc for item in GAD7.scored_items] == [
        "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
    ]  # fmt: skip
    assert GAD7.item(1).text == "Feeling nervous, anxious, or on edge"
    assert GAD7.item(7).text == "Feeling afraid, as if something awful might happen"
    for item in GAD7.scored_items:
        assert [(o.score, o.text, o.loinc) for o in item.options] == [
            (0, "Not at all", "LA6568-5"),
            (1, "Several days", "LA6569-3"),
            (2, "More than half the days", "LA6570-1"),
            (3, "Nearly every day", "LA6571-9"),
        ]
    difficulty = GAD7.item(8)
    assert difficulty.scored is False
    assert difficulty.loinc is None  # 69726-8 is [?]: kept in a comment only
    assert [o.text for o in difficulty.options] == [
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult",
    ]  # fmt: skip
    assert (GAD7.loinc_panel, GAD7.loinc_total, GAD7.score_range) == ("69737-5", "70274-6", (0, 21))
    assert GAD7.critical_items == ()
    assert accepted_answer_counts(GAD7) == (7, 8)


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (4, "minimal"), (5, "mild"), (9, "mild"), (10, "moderate"), (14, "moderate"), (15, "severe"),
     (21, "severe")],
)  # fmt: skip
def test_bands(total, band):
    result = score(GAD7, spread(total, [3] * 7))
    assert (result.total, result.band, result.critical) == (total, band, ())


def test_typical_answers_and_the_unscored_difficulty_item():
    assert score(GAD7, [1, 2, 1, 0, 0, 3, 1]).total == 8
    assert score(GAD7, [1, 2, 1, 0, 0, 3, 1, 3]).total == 8


def test_one_missing_item_is_prorated_and_two_are_invalid():
    # Answered 3,2,2,1,1,1: mean 10/6 x 7 = 11.67 -> 12. Two missing (2 of 7 = 29 % of the scale) is not prorated:
    # the reference says "<= 1-2" [M] without a source, and iptriad takes the stricter end.
    prorated = score(GAD7, [3, 2, 1, 2, None, 1, 1])
    assert (prorated.total, prorated.band, prorated.prorated, prorated.missing) == (12, "moderate", True, (5,))
    invalid = score(GAD7, [3, 2, None, 2, None, 1, 1])
    assert (invalid.total, invalid.band, invalid.valid, invalid.missing) == (None, None, False, (3, 5))
    assert invalid.reasons == ("2 items unanswered; at most 1 allowed",)
    assert GAD7.missing.max_missing == 1
    assert "iptriad's choice" in GAD7.missing.source


def test_prorating_rounds_half_up():
    # Answered 1,0,0,0,0,0: 1/6 x 7 = 1.17 -> 1; answered 1,1,1,1,1,0: 5/6 x 7 = 5.83 -> 6;
    # answered 3,3,3,0,0,0: 9/6 x 7 = 10.5 -> 11 (Python's round() would give 10).
    assert score(GAD7, [1, 0, 0, 0, 0, 0, None]).total == 1
    assert score(GAD7, [1, 1, 1, 1, 1, 0, None]).total == 6
    assert score(GAD7, [3, 3, 3, 0, 0, 0, None]).total == 11


@pytest.mark.parametrize("answers", [[0] * 6, [0] * 9, [0] * 6 + [4]])
def test_answers_that_do_not_fit_are_refused(answers):
    with pytest.raises(AnswerError):
        score(GAD7, answers)
