"""Issue 10: IPSRT's default schedule includes a mania self-rating, IPT-BN's an eating-disorder measure."""

from iptriad.core.instruments import instruments
from iptriad.core.schedules import Cadence, default_schedule, due_sessions


def _codes(adaptation: str) -> dict[str, Cadence]:
    return {rule.instrument: rule.cadence for rule in default_schedule(adaptation)}


def test_ipsrt_rates_mania_every_session_beside_the_phq9_and_the_weekly_rhythm_diary():
    codes = _codes("ipsrt")
    assert codes["asrm"] == Cadence.EVERY_SESSION
    assert codes["phq9"] == Cadence.EVERY_SESSION
    assert codes["srm5"] == Cadence.WEEKLY


def test_the_mania_self_rating_is_for_ipsrt_only():
    for adaptation in ("standard", "ipt_a", "perinatal", "ipt_bn"):
        assert "asrm" not in _codes(adaptation)


def test_every_scheduled_instrument_is_shipped():
    for adaptation in ("standard", "ipt_a", "perinatal", "ipsrt", "ipt_bn"):
        assert set(_codes(adaptation)) <= set(instruments())


def test_ipt_bn_gives_the_eating_disorder_measure_at_the_start_every_4_sessions_and_at_the_end():
    rule = next(rule for rule in default_schedule("ipt_bn") if rule.instrument == "edeq")
    assert (rule.cadence, rule.every_n) == (Cadence.EVERY_N_SESSIONS, 4)
    assert due_sessions(rule, 19) == {1, 5, 9, 13, 17, 19}  # IPT-BN's 19 sessions


def test_the_eating_disorder_measure_is_for_ipt_bn_only():
    for adaptation in ("standard", "ipt_a", "perinatal", "ipsrt"):
        assert "edeq" not in _codes(adaptation)
