import pytest

from iptriad.core.instruments import AnswerError
from iptriad.core.instruments.model import (
    Instrument,
    Item,
    ItemText,
    Missing,
    MissingPolicy,
    Option,
    Respondent,
    Scoring,
)
from iptriad.core.instruments.social_rhythm import (
    habitual_time,
    parse_clock_time,
    score_social_rhythm,
)

SRM5 = Instrument(
    code="srm5",
    version="test",
    name="Social Rhythm Metric, 5 activities",
    short_name="SRM-5",
    respondent=Respondent.SELF,
    audience="adults",
    recall_period="one week",
    scoring=Scoring.SOCIAL_RHYTHM,
    score_range=(0, 7),
    higher_is_better=True,
    item_text=ItemText.SHIPPED,
    items=tuple(Item(number=n, options=(Option(score=0),)) for n in range(1, 6)),
    missing=Missing(policy=MissingPolicy.INVALID),
    bands=(),
    bands_source="",
    licence="",
    citation="",
    sources=(),
)


def at(text: str) -> int:
    return parse_clock_time(text)


def week(*days: tuple[str | None, ...]) -> list[list[int | None]]:
    return [[None if t is None else at(t) for t in day] for day in days]


REGULAR_DAY = ("07:00", "07:30", "09:00", "19:00", "23:00")


def test_a_perfectly_regular_week_scores_7_with_every_activity_counted():
    result = score_social_rhythm(SRM5, week(*[REGULAR_DAY] * 7))
    assert (result.score, result.activity_level_index, result.valid) == (7.0, 35, True)
    assert result.qualifying_activities == (1, 2, 3, 4, 5)


def test_an_activity_on_fewer_than_3_days_does_not_qualify_but_counts_in_the_activity_level():
    days = [("07:00", "07:30", "09:00", "19:00", None)] * 5 + [REGULAR_DAY] * 2
    result = score_social_rhythm(SRM5, week(*days))
    assert result.qualifying_activities == (1, 2, 3, 4)
    assert result.activity_level_index == 4 * 7 + 2
    assert result.score == 7.0


def test_a_time_more_than_45_minutes_from_the_habit_is_not_a_hit():
    days = [REGULAR_DAY] * 6 + [("08:00", "07:30", "09:00", "19:00", "23:00")]
    result = score_social_rhythm(SRM5, week(*days))
    assert result.hits[1] == 6
    assert result.score == pytest.approx((6 + 7 * 4) / 5)


def test_bedtimes_either_side_of_midnight_average_to_around_midnight_not_noon():
    times = [at(t) for t in ("23:30", "00:30", "23:45", "00:15", "00:00")]
    assert min(habitual_time(times), 1440 - habitual_time(times)) < 1


def test_an_outlier_is_left_out_of_the_habitual_time():
    times = [at("07:00")] * 6 + [at("13:00")]
    assert habitual_time(times) == pytest.approx(at("07:00"), abs=1)


def test_a_week_with_no_regular_activity_is_invalid():
    days = [(None, None, None, None, None)] * 5 + [REGULAR_DAY] * 2
    result = score_social_rhythm(SRM5, week(*days))
    assert (result.score, result.valid, result.activity_level_index) == (None, False, 10)


@pytest.mark.parametrize("text", ["7", "24:00", "07:60", "7:5", "seven", "07-30"])
def test_it_refuses_what_is_not_a_clock_time(text):
    with pytest.raises(AnswerError, match="clock time"):
        parse_clock_time(text)


def test_it_refuses_a_week_of_the_wrong_shape():
    with pytest.raises(AnswerError, match="7 days of 5 times"):
        score_social_rhythm(SRM5, week(*[REGULAR_DAY] * 6))
