"""SRM-5 definition only (the diary is scored by iptriad.core.instruments.social_rhythm), from instruments.md §15."""

import pytest

from iptriad.core.instruments import AnswerError, instrument, score

SRM5 = instrument("srm5")


def test_the_five_activities_in_order():
    assert [item.text for item in SRM5.items] == [
        "Get out of bed",
        "First contact (in person or by phone) with another person",
        "Start work, school, housework, volunteer activities, or child or family care",
        "Have dinner",
        "Go to bed",
    ]


def test_scoring_range_and_no_bands():
    assert SRM5.scoring == "social_rhythm"
    assert (SRM5.score_range, SRM5.higher_is_better) == ((0, 7), True)
    assert SRM5.bands == ()
    assert SRM5.band_for(7) is None
    assert "no bands" in SRM5.bands_source
    assert SRM5.critical_items == ()
    assert SRM5.loinc_panel is None
    assert SRM5.loinc_total is None


def test_the_placeholder_option_set_is_one_unlabelled_option():
    for item in SRM5.items:
        assert [(o.score, o.text) for o in item.options] == [(0, None)]


def test_the_generic_engine_refuses_it():
    with pytest.raises(AnswerError, match="social_rhythm"):
        score(SRM5, [0] * 5)
