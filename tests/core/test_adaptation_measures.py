"""Issue 10: IPSRT's default schedule includes a mania self-rating, IPT-BN's an eating-disorder measure."""

from iptriad.core.instruments import instruments
from iptriad.core.schedules import Cadence, default_schedule


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
