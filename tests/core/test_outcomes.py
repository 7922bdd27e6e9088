import math
import re

import pytest

from iptriad.core.outcomes import (
    CHANGE_CONVENTIONS,
    RELIABILITY_OUT_OF_RANGE,
    SCORE_NOT_FINITE,
    SCORE_OUT_OF_RANGE,
    SD_NOT_POSITIVE,
    THRESHOLD_NOT_POSITIVE,
    UNKNOWN_INSTRUMENT,
    Constant,
    Direction,
    JacobsonTruaxCategory,
    Tag,
    TalkingTherapiesOutcome,
    Threshold,
    classify_change,
    cutoff_a,
    cutoff_b,
    cutoff_c,
    is_case,
    jacobson_truax_category,
    reliable_change_index,
    reliable_change_points,
    standard_error_of_difference,
    talking_therapies_outcome,
)

# --- the conventions as data --------------------------------------------------------------------------------------


def test_it_keys_every_convention_by_its_own_code():
    assert all(code == convention.code for code, convention in CHANGE_CONVENTIONS.items())


def test_it_gives_every_constant_a_tag_and_a_source():
    rules = [
        rule
        for convention in CHANGE_CONVENTIONS.values()
        for rule in (
            convention.reliable_change,
            convention.caseness,
            convention.response_reduction,
            convention.remission,
            convention.clinically_significant_final,
            convention.clinically_significant_reduction,
        )
        if rule is not None
    ]
    assert rules
    assert all(isinstance(rule, Threshold | Constant) and rule.tag and rule.source.strip() for rule in rules)


def test_it_holds_the_reference_thresholds():
    phq9, gad7, epds, who5 = (CHANGE_CONVENTIONS[code] for code in ("phq9", "gad7", "epds", "who5"))
    assert (phq9.reliable_change and phq9.reliable_change.value) == 6
    assert (gad7.reliable_change and gad7.reliable_change.value) == 4
    assert (epds.reliable_change and epds.reliable_change.value) == 4
    assert (who5.reliable_change and who5.reliable_change.value) == 10
    assert who5.unit == "percentage points"
    assert who5.units_per_raw_point == 4
    assert who5.direction is Direction.HIGHER_IS_BETTER
    assert CHANGE_CONVENTIONS["mspss"].direction is Direction.HIGHER_IS_BETTER


def test_phqa_carries_over_the_phq9_reliable_change_response_and_remission_marked_as_such():
    phq9, phqa = CHANGE_CONVENTIONS["phq9"], CHANGE_CONVENTIONS["phqa"]
    assert phqa.carried_over_from == "phq9"
    assert phq9.carried_over_from is None
    for name in ("reliable_change", "response_reduction", "remission"):
        carried, original = getattr(phqa, name), getattr(phq9, name)
        assert carried.value == original.value, name
        assert carried.tag is Tag.UNCERTAIN, name
        assert carried.source.startswith("the PHQ-9's rule, carried over to the PHQ-A"), name
    assert (phqa.caseness, phqa.clinically_significant_final) == (None, None)  # the adolescent cut-off differs
    status = classify_change("phqa", 20, 4)
    assert (status.reliable_improvement, status.response, status.remission) == (True, True, True)


def test_it_leaves_empty_what_the_reference_does_not_give():
    hamd17 = CHANGE_CONVENTIONS["hamd17"]
    assert hamd17.reliable_change is None
    assert hamd17.caseness is None
    gad7 = CHANGE_CONVENTIONS["gad7"]
    assert gad7.response_reduction is None
    assert gad7.remission is None
    for code in ("wsas", "k10", "mspss"):
        convention = CHANGE_CONVENTIONS[code]
        assert convention.reliable_change is None
        assert convention.caseness is None
        assert convention.response_reduction is None
        assert convention.remission is None


# --- Jacobson-Truax: the worked examples of instruments.md 2.3 ----------------------------------------------------


@pytest.mark.parametrize(
    ("sd_pre", "reliability", "s_diff", "rc_points", "whole_points"),
    [
        (6.17, 0.89, 2.89, 5.67, 6),  # PHQ-9, perinatal sample, alpha
        (5.5, 0.84, 3.11, 6.10, 7),  # PHQ-9, test-retest
        (5.0, 0.92, 2.00, 3.92, 4),  # GAD-7, alpha
        (5.0, 0.83, 2.92, 5.71, 6),  # GAD-7, test-retest
    ],
)
def test_it_reproduces_the_worked_examples(sd_pre, reliability, s_diff, rc_points, whole_points):
    assert standard_error_of_difference(sd_pre, reliability) == pytest.approx(s_diff, abs=0.005)
    assert reliable_change_points(sd_pre, reliability) == pytest.approx(rc_points, abs=0.005)
    assert math.ceil(reliable_change_points(sd_pre, reliability)) == whole_points


def test_it_signs_the_rci_with_the_score():
    assert reliable_change_index(18, 10, 6.17, 0.89) == pytest.approx(-8 / 2.894, abs=0.001)
    assert reliable_change_index(10, 18, 6.17, 0.89) == pytest.approx(8 / 2.894, abs=0.001)
    assert reliable_change_index(12, 12, 6.17, 0.89) == 0


def test_it_computes_the_clinical_significance_cutoffs():
    # Symptom scale: clinical mean 15 (SD 5), functional mean 3 (SD 3).
    assert cutoff_a(15, 5, direction=Direction.LOWER_IS_BETTER) == 5
    assert cutoff_b(3, 3, direction=Direction.LOWER_IS_BETTER) == 9
    assert cutoff_c(15, 5, 3, 3) == pytest.approx(7.5)
    # Well-being scale: clinical mean 30 (SD 10), functional mean 70 (SD 15); "towards health" is upwards.
    assert cutoff_a(30, 10, direction=Direction.HIGHER_IS_BETTER) == 50
    assert cutoff_b(70, 15, direction=Direction.HIGHER_IS_BETTER) == 40
    assert cutoff_c(30, 10, 70, 15) == pytest.approx(46)


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        (18, 9, JacobsonTruaxCategory.RECOVERED),  # improved by 9 and crossed 10
        (16, 9, JacobsonTruaxCategory.RECOVERED),  # improved by exactly the threshold
        (16, 10, JacobsonTruaxCategory.IMPROVED),  # a score on the cut-off is still on the clinical side
        (18, 11, JacobsonTruaxCategory.IMPROVED),
        (9, 2, JacobsonTruaxCategory.IMPROVED),  # started on the functional side: nothing to cross
        (18, 13, JacobsonTruaxCategory.UNCHANGED),  # 5 < 6
        (12, 12, JacobsonTruaxCategory.UNCHANGED),
        (4, 9, JacobsonTruaxCategory.UNCHANGED),
        (10, 16, JacobsonTruaxCategory.DETERIORATED),
        (3, 9, JacobsonTruaxCategory.DETERIORATED),
    ],
)
def test_it_places_a_symptom_scale_change_in_a_category(pre, post, expected):
    assert jacobson_truax_category(pre, post, threshold=6, cutoff=10, direction=Direction.LOWER_IS_BETTER) == expected


@pytest.mark.parametrize(
    ("pre", "post", "expected"),
    [
        (40, 60, JacobsonTruaxCategory.RECOVERED),
        (40, 50, JacobsonTruaxCategory.IMPROVED),  # 50 is still "poor well-being"
        (40, 48, JacobsonTruaxCategory.UNCHANGED),
        (60, 50, JacobsonTruaxCategory.DETERIORATED),
    ],
)
def test_it_places_a_well_being_change_in_a_category(pre, post, expected):
    assert jacobson_truax_category(pre, post, threshold=10, cutoff=50, direction=Direction.HIGHER_IS_BETTER) == expected


@pytest.mark.parametrize("reliability", [0, 1, -0.1, 1.2, math.nan])
def test_it_refuses_a_reliability_outside_zero_and_one(reliability):
    with pytest.raises(ValueError, match=re.escape(RELIABILITY_OUT_OF_RANGE)):
        reliable_change_points(5.0, reliability)
    with pytest.raises(ValueError, match=re.escape(RELIABILITY_OUT_OF_RANGE)):
        reliable_change_index(10, 5, 5.0, reliability)


@pytest.mark.parametrize("sd", [0, -1, math.nan, math.inf])
def test_it_refuses_a_standard_deviation_that_is_not_positive(sd):
    with pytest.raises(ValueError, match=re.escape(SD_NOT_POSITIVE)):
        reliable_change_points(sd, 0.9)
    with pytest.raises(ValueError, match=re.escape(SD_NOT_POSITIVE)):
        cutoff_a(15, sd, direction=Direction.LOWER_IS_BETTER)
    with pytest.raises(ValueError, match=re.escape(SD_NOT_POSITIVE)):
        cutoff_c(15, 5, 3, sd)


def test_it_refuses_a_score_that_is_not_a_number():
    with pytest.raises(ValueError, match=re.escape(SCORE_NOT_FINITE)):
        reliable_change_index(math.nan, 5, 5.0, 0.9)


@pytest.mark.parametrize("threshold", [0, -6, math.nan])
def test_it_refuses_a_threshold_that_is_not_positive(threshold):
    with pytest.raises(ValueError, match=re.escape(THRESHOLD_NOT_POSITIVE)):
        jacobson_truax_category(18, 9, threshold=threshold, cutoff=10, direction=Direction.LOWER_IS_BETTER)


# --- change on one instrument -------------------------------------------------------------------------------------


def test_it_calls_six_phq9_points_reliable_and_five_not():
    assert classify_change("phq9", 15, 9).reliable_improvement is True
    assert classify_change("phq9", 15, 10).reliable_improvement is False
    assert classify_change("phq9", 9, 15).reliable_deterioration is True
    assert classify_change("phq9", 10, 15).reliable_deterioration is False


def test_it_reports_phq9_change_in_points():
    status = classify_change("phq9", 15, 9)
    assert status.change == -6
    assert status.reliable_deterioration is False
    assert status.percent_reduction == pytest.approx(40)


def test_it_counts_exactly_half_as_a_response():
    assert classify_change("phq9", 10, 5).response is True
    assert classify_change("phq9", 10, 5).percent_reduction == 50
    assert classify_change("phq9", 10, 6).response is False
    assert classify_change("phq9", 15, 7).response is True  # 53 %
    assert classify_change("phq9", 15, 8).response is False  # 47 %


def test_it_calls_a_phq9_below_five_a_remission():
    assert classify_change("phq9", 15, 4).remission is True
    assert classify_change("phq9", 15, 5).remission is False


def test_it_gives_no_percentage_and_no_response_from_a_baseline_of_zero():
    status = classify_change("phq9", 0, 0)
    assert status.percent_reduction is None
    assert status.response is None
    assert status.clinically_significant is None
    assert status.remission is True


def test_it_reports_a_worsening_as_a_negative_reduction():
    status = classify_change("phq9", 8, 12)
    assert status.percent_reduction == pytest.approx(-50)
    assert status.response is False


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        (20, 9, True),
        (18, 9, True),  # exactly 50 %
        (17, 9, False),  # 47 %
        (20, 10, False),  # final above 9
        (0, 12, False),  # a final of 12 fails whatever the baseline
        (0, 3, None),  # no reduction can be computed from 0
    ],
)
def test_it_judges_phq9_clinically_significant_change(baseline, current, expected):
    assert classify_change("phq9", baseline, current).clinically_significant is expected


def test_it_judges_clinically_significant_change_on_phq9_only():
    assert classify_change("gad7", 20, 4).clinically_significant is None
    assert classify_change("hamd17", 20, 4).clinically_significant is None


def test_it_compares_who5_in_percentage_points():
    status = classify_change("who5", 10, 13)
    assert status.change == 12
    assert status.reliable_improvement is True
    assert status.reliable_deterioration is False
    assert status.percent_reduction is None
    assert status.response is None
    assert status.remission is None


def test_it_reads_who5_upwards():
    assert classify_change("who5", 13, 10).reliable_deterioration is True
    assert classify_change("who5", 13, 10).reliable_improvement is False
    assert classify_change("who5", 10, 12).reliable_improvement is False  # 8 percentage points


def test_it_calls_four_epds_points_reliable_and_three_not():
    assert classify_change("epds", 14, 10).reliable_improvement is True
    assert classify_change("epds", 14, 11).reliable_improvement is False
    assert classify_change("epds", 10, 14).reliable_deterioration is True
    assert classify_change("epds", 14, 10).response is None


def test_it_calls_four_gad7_points_reliable():
    assert classify_change("gad7", 12, 8).reliable_improvement is True
    assert classify_change("gad7", 12, 9).reliable_improvement is False
    assert classify_change("gad7", 12, 4).response is None


def test_it_applies_the_hamd17_rules_without_a_reliable_change_threshold():
    assert classify_change("hamd17", 20, 7).remission is True
    assert classify_change("hamd17", 20, 8).remission is False
    assert classify_change("hamd17", 20, 10).response is True
    assert classify_change("hamd17", 20, 11).response is False
    assert classify_change("hamd17", 20, 7).reliable_improvement is None
    assert classify_change("hamd17", 20, 7).reliable_deterioration is None


def test_it_applies_the_qids_sr16_remission_at_five():
    assert classify_change("qidssr16", 16, 5).remission is True
    assert classify_change("qidssr16", 16, 6).remission is False


def test_it_only_reports_the_change_where_the_reference_gives_no_rule():
    k10 = classify_change("k10", 30, 20)
    assert k10.change == -10
    assert k10.percent_reduction is None  # 10-50 scoring has no zero
    mspss = classify_change("mspss", 3.5, 5.25)
    assert mspss.change == pytest.approx(1.75)
    assert (mspss.reliable_improvement, mspss.response, mspss.remission) == (None, None, None)
    assert classify_change("wsas", 20, 10).percent_reduction == pytest.approx(50)


def test_it_refuses_an_unknown_instrument():
    with pytest.raises(ValueError, match=re.escape(UNKNOWN_INSTRUMENT) + ".*'phq-9'"):
        classify_change("phq-9", 15, 9)


@pytest.mark.parametrize(("code", "score"), [("phq9", 28), ("phq9", -1), ("who5", 52), ("gad7", 22)])
def test_it_refuses_a_score_outside_the_range(code, score):
    with pytest.raises(ValueError, match=re.escape(SCORE_OUT_OF_RANGE)):
        classify_change(code, score, 0)


def test_it_refuses_a_score_that_is_not_finite_on_an_instrument_without_a_range():
    with pytest.raises(ValueError, match=re.escape(SCORE_NOT_FINITE)):
        classify_change("k10", math.inf, 20)


@pytest.mark.parametrize(
    ("code", "score", "expected"),
    [
        ("phq9", 9, False),
        ("phq9", 10, True),
        ("gad7", 7, False),
        ("gad7", 8, True),
        ("epds", 12, False),
        ("epds", 13, True),
        ("who5", 12, True),  # 48 %
        ("who5", 13, False),  # 52 %
        ("hamd17", 30, None),
    ],
)
def test_it_tells_caseness(code, score, expected):
    assert is_case(code, score) is expected


# --- NHS Talking Therapies ---------------------------------------------------------------------------------------

T, F, N = True, False, None


@pytest.mark.parametrize(
    ("phq9", "gad7", "expected"),
    [
        # (first, last) per measure -> (case at start, recovery, reliable improvement, reliable recovery,
        #                               reliable deterioration)
        ((15, 5), (10, 4), (T, T, T, T, F)),  # the good course
        ((15, 12), (10, 7), (T, F, F, F, F)),  # still a case on the PHQ-9, neither changed reliably
        ((12, 8), (6, 6), (T, T, F, F, F)),  # recovered but not reliably
        ((10, 4), (7, 7), (T, T, T, T, F)),  # PHQ-9 of exactly 10 is a case, -6 is reliable
        ((9, 9), (8, 7), (T, T, F, F, F)),  # GAD-7 of exactly 8 is a case
        ((8, 4), (5, 3), (F, F, F, F, F)),  # never a case
        ((9, 3), (7, 2), (F, F, T, F, F)),  # reliable improvement does not need caseness
        ((20, 8), (9, 13), (T, F, F, F, T)),  # PHQ-9 improved, GAD-7 deteriorated by 4
        ((15, 5), (N, N), (T, N, N, N, N)),  # no GAD-7: it might have deteriorated, or stayed a case
        ((15, 25), (N, N), (T, F, F, F, T)),  # the PHQ-9 decides everything on its own
        ((8, 4), (N, N), (N, N, N, N, N)),  # no GAD-7 at the start: caseness is open
        ((4, 3), (N, 2), (N, N, N, N, N)),
        ((15, N), (10, 4), (T, N, N, N, N)),  # no last PHQ-9: below caseness on both is open
        ((15, N), (10, 16), (T, F, F, F, T)),  # the GAD-7 is a case at the end and reliably worse
        ((N, N), (N, N), (N, N, N, N, N)),
    ],
)
def test_it_applies_the_talking_therapies_definitions(phq9, gad7, expected):
    outcome = talking_therapies_outcome(phq9_first=phq9[0], phq9_last=phq9[1], gad7_first=gad7[0], gad7_last=gad7[1])
    assert outcome == TalkingTherapiesOutcome(*expected)


def test_it_refuses_a_talking_therapies_score_outside_the_range():
    with pytest.raises(ValueError, match=re.escape(SCORE_OUT_OF_RANGE)):
        talking_therapies_outcome(phq9_first=28, phq9_last=10, gad7_first=10, gad7_last=5)
