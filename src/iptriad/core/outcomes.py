"""Change statistics: reliable change, response, remission and NHS Talking Therapies outcomes.

Every clinical number here comes from the research notes instruments.md (section 2 and the instrument sections) and
carries that file's status tag: [V] confirmed in a public source, [M] standard literature not re-checked, [?]
uncertain. The numbers are data (``CHANGE_CONVENTIONS``) rather than code, so a clinician can audit them and a
site can replace them; nothing here makes up a threshold the reference does not give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

# ---------------------------------------------------------------------------------------------------------------
# Error messages (tests import them)
# ---------------------------------------------------------------------------------------------------------------

RELIABILITY_OUT_OF_RANGE = "reliability must be strictly between 0 and 1"
SD_NOT_POSITIVE = "the standard deviation must be a finite number greater than 0"
THRESHOLD_NOT_POSITIVE = "the reliable-change threshold must be a finite number greater than 0"
SCORE_NOT_FINITE = "a score must be a finite number"
SCORE_OUT_OF_RANGE = "score outside the instrument's range"
UNKNOWN_INSTRUMENT = "no change convention for instrument"

# ---------------------------------------------------------------------------------------------------------------
# The conventions, as data
# ---------------------------------------------------------------------------------------------------------------


class Tag(StrEnum):
    """The status tag instruments.md section 0 gives each fact."""

    VERIFIED = "V"  # confirmed during the research in a named public source
    LITERATURE = "M"  # standard literature, not re-checked: check before it drives clinical logic
    UNCERTAIN = "?"  # sources conflict or the fact is uncertain


class Direction(StrEnum):
    """Which way is better: symptom and impairment scales go down, well-being and support scales go up."""

    LOWER_IS_BETTER = "lower_is_better"
    HIGHER_IS_BETTER = "higher_is_better"


Comparison = Literal["<", "<=", ">="]


@dataclass(frozen=True)
class Threshold:
    """A condition on one score, such as caseness "PHQ-9 >= 10" or remission "HAM-D 17 <= 7".

    The reference's own comparison is kept ("< 5" is not rewritten as "<= 4") so the table reads like its source.
    """

    comparison: Comparison
    value: float
    tag: Tag
    source: str

    def is_met_by(self, score: float) -> bool:
        if self.comparison == "<":
            return score < self.value
        if self.comparison == "<=":
            return score <= self.value
        return score >= self.value


@dataclass(frozen=True)
class Constant:
    """A sourced number: reliable-change points, or the fraction of the baseline a response must remove."""

    value: float
    tag: Tag
    source: str


@dataclass(frozen=True)
class ChangeConvention:
    """What the reference gives for judging change on one instrument; None where it gives nothing.

    Scores are passed as raw totals. ``units_per_raw_point`` turns them into the units change is judged in (WHO-5
    is judged in percentage points, raw x 4); every threshold below is in those units.
    """

    code: str
    name: str
    direction: Direction
    unit: str
    units_per_raw_point: int
    raw_range: tuple[float, float] | None  # None where the reference gives more than one scoring (K10, MSPSS)
    reliable_change: Constant | None  # |change| >= value, in the right direction
    caseness: Threshold | None
    response_reduction: Constant | None  # fraction of the baseline, e.g. 0.5 for ">= 50 % reduction"
    remission: Threshold | None
    # Kroenke 2001's "clinically significant change" (PHQ-9 only): a final score and a reduction, both required.
    clinically_significant_final: Threshold | None = None
    clinically_significant_reduction: Constant | None = None
    # The code of the instrument whose rules these are, when they were carried over from it (PHQ-A from PHQ-9):
    # the page says so, since no value was published for this instrument itself.
    carried_over_from: str | None = None

    @property
    def carried_over_note(self) -> str:
        """What a page says beside rules carried over from another instrument; "" for the instrument's own."""
        if self.carried_over_from is None:
            return ""
        source = CHANGE_CONVENTIONS[self.carried_over_from].name
        return (
            f"No change thresholds were published for the {self.name}: reliable change, response and remission are "
            f"the {source}'s, carried over; read them with caution."
        )


# Sources, named as instruments.md names them.
_IAPT = "NHS IAPT / Talking Therapies definitions, as quoted in trial registration NCT05134103 (instruments.md 2.4)"
_KROENKE_2001 = "Kroenke et al. 2001, as summarised by McMillan et al. 2010 (instruments.md 2.5)"
_CARRIED_OVER = "the PHQ-9's rule, carried over to the PHQ-A (instruments.md 5: no adolescent value published): "
_RESPONSE_50 = 0.5  # ">= 50 % reduction from baseline", the same wording for PHQ-9, QIDS-SR16 and HAM-D 17

CHANGE_CONVENTIONS: dict[str, ChangeConvention] = {
    "phq9": ChangeConvention(
        code="phq9",
        name="PHQ-9",
        direction=Direction.LOWER_IS_BETTER,
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 27),  # section 3, scoring [V]
        reliable_change=Constant(6, Tag.VERIFIED, _IAPT),
        caseness=Threshold(">=", 10, Tag.VERIFIED, _IAPT + '; IAPT writes "> 9"'),
        response_reduction=Constant(
            _RESPONSE_50, Tag.LITERATURE, 'NQF 1885 "Depression Response at Twelve Months" (instruments.md 2.5)'
        ),
        remission=Threshold(
            "<", 5, Tag.VERIFIED, "NQF 0710 / 0711 (Quality ID #411); Kroenke 2001 band 0-4 (instruments.md 2.5)"
        ),
        clinically_significant_final=Threshold("<=", 9, Tag.VERIFIED, _KROENKE_2001),
        clinically_significant_reduction=Constant(_RESPONSE_50, Tag.VERIFIED, _KROENKE_2001),
    ),
    # The PHQ-A has no adolescent-specific reliable-change value in the reference, which says "Use the PHQ-9
    # conventions with caution, or compute from local data" (section 5), and the same 0-27 sum of nine items [V].
    # Reliable change, response and remission are the PHQ-9's, carried over and tagged [?]; caseness and Kroenke's
    # clinically significant change are not (the adolescent cut-off differs: "> 10", or >= 11 in Richardson 2010).
    "phqa": ChangeConvention(
        code="phqa",
        name="PHQ-A",
        direction=Direction.LOWER_IS_BETTER,
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 27),  # section 5, scoring [V]
        reliable_change=Constant(6, Tag.UNCERTAIN, _CARRIED_OVER + _IAPT),
        caseness=None,
        response_reduction=Constant(
            _RESPONSE_50, Tag.UNCERTAIN, _CARRIED_OVER + 'NQF 1885 "Depression Response at Twelve Months" (2.5)'
        ),
        remission=Threshold(
            "<", 5, Tag.UNCERTAIN, _CARRIED_OVER + "NQF 0710 / 0711 (Quality ID #411); Kroenke 2001 band 0-4 (2.5)"
        ),
        carried_over_from="phq9",
    ),
    "gad7": ChangeConvention(
        code="gad7",
        name="GAD-7",
        direction=Direction.LOWER_IS_BETTER,
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 21),  # section 6, scoring [V]
        reliable_change=Constant(4, Tag.VERIFIED, _IAPT),
        # IAPT caseness, not Spitzer 2006's >= 10 [M]: the Talking Therapies outcomes below depend on this one.
        caseness=Threshold(">=", 8, Tag.VERIFIED, _IAPT + '; IAPT writes "> 7"'),
        response_reduction=None,
        remission=None,
    ),
    "epds": ChangeConvention(
        code="epds",
        name="EPDS",
        direction=Direction.LOWER_IS_BETTER,
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 30),  # section 7, scoring [V]
        reliable_change=Constant(4, Tag.VERIFIED, "Matthey 2004, J Affect Disord 78:269 (instruments.md 2.4, 7)"),
        # The reference gives two cut-offs: >= 13 probable major depression and >= 10 possible depression, and
        # says local guidelines vary. Caseness here is the 12/13 cut-off; a site screening wider replaces it.
        caseness=Threshold(
            ">=", 13, Tag.VERIFIED, "Cox et al. 1987, probable major depression (instruments.md 2.4, 7)"
        ),
        response_reduction=None,
        remission=None,
    ),
    "who5": ChangeConvention(
        code="who5",
        name="WHO-5",
        direction=Direction.HIGHER_IS_BETTER,
        unit="percentage points",
        units_per_raw_point=4,  # percentage = raw x 4 [V], section 13 (not "(raw - 5) x 4", which is wrong)
        raw_range=(0, 25),  # section 13, raw sum [V]
        reliable_change=Constant(10, Tag.VERIFIED, "Topp et al. 2015, via secondary pages (instruments.md 2.4, 13)"),
        caseness=Threshold(
            "<=", 50, Tag.VERIFIED, "Topp et al. 2015: raw < 13, percentage <= 50, poor well-being (instruments.md 13)"
        ),
        response_reduction=None,
        remission=None,
    ),
    "hamd17": ChangeConvention(
        code="hamd17",
        name="HAM-D 17",
        direction=Direction.LOWER_IS_BETTER,
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 52),  # section 10, scoring [V]
        reliable_change=None,  # none published: compute from inter-rater or test-retest reliability (section 10)
        caseness=None,
        response_reduction=Constant(_RESPONSE_50, Tag.LITERATURE, "Frank et al. 1991 consensus (instruments.md 2.4)"),
        remission=Threshold("<=", 7, Tag.LITERATURE, "Frank et al. 1991 consensus (instruments.md 2.4, 10)"),
    ),
    "qidssr16": ChangeConvention(
        code="qidssr16",
        name="QIDS-SR16",
        direction=Direction.LOWER_IS_BETTER,
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 27),  # section 11, scoring [V]
        reliable_change=None,
        caseness=None,
        response_reduction=Constant(_RESPONSE_50, Tag.VERIFIED, "STAR*D, Trivedi et al. 2006 (instruments.md 2.4)"),
        remission=Threshold("<=", 5, Tag.VERIFIED, "STAR*D, Trivedi et al. 2006 (instruments.md 2.4, 11)"),
    ),
    # The three below have a direction and nothing else in the reference ("no published RC threshold",
    # "compute locally"), so only the change itself is reported for them.
    "wsas": ChangeConvention(
        code="wsas",
        name="WSAS",
        direction=Direction.LOWER_IS_BETTER,  # impairment: < 10 subclinical, > 20 moderately severe (section 8)
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 40),  # section 8, scoring [V]
        reliable_change=None,
        caseness=None,
        response_reduction=None,
        remission=None,
    ),
    "k10": ChangeConvention(
        code="k10",
        name="K10",
        direction=Direction.LOWER_IS_BETTER,  # distress: 10-19 "likely to be well" (section 12)
        unit="points",
        units_per_raw_point=1,
        raw_range=None,  # 10-50 (Australian) or 0-40 (US NCS), by scoring convention [V]
        reliable_change=None,
        caseness=None,
        response_reduction=None,
        remission=None,
    ),
    "mspss": ChangeConvention(
        code="mspss",
        name="MSPSS",
        direction=Direction.HIGHER_IS_BETTER,  # "Higher scores are better" (section 9)
        unit="points",
        units_per_raw_point=1,
        raw_range=None,  # mean 1-7 or sum 12-84; change is in whichever the caller passes
        reliable_change=None,
        caseness=None,
        response_reduction=None,
        remission=None,
    ),
    # ASRM: no RC threshold, response or remission published (section 14); its >= 6 cut-off is a screening
    # threshold, not a caseness for recovery, so only the change itself is reported.
    "asrm": ChangeConvention(
        code="asrm",
        name="ASRM",
        direction=Direction.LOWER_IS_BETTER,  # (hypo)manic symptoms: >= 6 probable (hypo)mania (section 14)
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 20),  # section 14, 5 groups scored 0-4 [V: Wikipedia description]
        reliable_change=None,
        caseness=None,
        response_reduction=None,
        remission=None,
    ),
    # EDE-Q: no standard RC threshold ("compute from local data", section 18); the global >= 4 clinical-significance
    # cut-off [M] is a band, not a caseness for recovery, so only the change itself is reported.
    "edeq": ChangeConvention(
        code="edeq",
        name="EDE-Q",
        direction=Direction.LOWER_IS_BETTER,  # eating-disorder psychopathology (section 18)
        unit="points",
        units_per_raw_point=1,
        raw_range=(0, 6),  # section 18, global = mean of four subscales scored 0-6 [M]
        reliable_change=None,
        caseness=None,
        response_reduction=None,
        remission=None,
    ),
}


def change_convention(code: str) -> ChangeConvention:
    """The convention for an instrument code; a ValueError names the known codes, since a typo must not pass."""
    try:
        return CHANGE_CONVENTIONS[code]
    except KeyError:
        known = ", ".join(sorted(CHANGE_CONVENTIONS))
        raise ValueError(f"{UNKNOWN_INSTRUMENT} {code!r} (known: {known})") from None


# ---------------------------------------------------------------------------------------------------------------
# Jacobson-Truax (instruments.md 2.1, 2.2 [M])
# ---------------------------------------------------------------------------------------------------------------

RCI_CRITICAL_VALUE = 1.96  # 95 % two-tailed, Jacobson & Truax 1991 (instruments.md 2.1 [M])


def _require_finite(value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{SCORE_NOT_FINITE}, got {value!r}")


def _require_sd(sd: float) -> None:
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"{SD_NOT_POSITIVE}, got {sd!r}")


def _require_reliability(reliability: float) -> None:
    # r = 1 would make every change reliable, r = 0 none; both mean the input is wrong (NaN also fails here).
    if not 0 < reliability < 1:
        raise ValueError(f"{RELIABILITY_OUT_OF_RANGE}, got {reliability!r}")


def standard_error_of_difference(sd_pre: float, reliability: float) -> float:
    """S_diff = sqrt(2) * SEm, with SEm = SD_pre * sqrt(1 - r).

    ``reliability`` is Cronbach's alpha or test-retest r; record which, since test-retest gives larger thresholds.
    """
    _require_sd(sd_pre)
    _require_reliability(reliability)
    return math.sqrt(2) * sd_pre * math.sqrt(1 - reliability)


def reliable_change_index(pre: float, post: float, sd_pre: float, reliability: float) -> float:
    """RCI = (post - pre) / S_diff. Its sign follows the score, so on a symptom scale a negative RCI is better."""
    _require_finite(pre)
    _require_finite(post)
    return (post - pre) / standard_error_of_difference(sd_pre, reliability)


def reliable_change_points(sd_pre: float, reliability: float) -> float:
    """The smallest change that is reliable, 1.96 * S_diff; integer scores need ``math.ceil`` of it (2.1)."""
    return RCI_CRITICAL_VALUE * standard_error_of_difference(sd_pre, reliability)


def _towards_health(direction: Direction) -> int:
    return -1 if direction is Direction.LOWER_IS_BETTER else 1


def cutoff_a(mean_clinical: float, sd_clinical: float, *, direction: Direction) -> float:
    """Two SD from the clinical mean towards health (M_clin - 2 SD_clin on a symptom scale).

    The reference writes the symptom-scale form; for higher-is-better scales the sign is inverted, as 2.1 says.
    """
    _require_finite(mean_clinical)
    _require_sd(sd_clinical)
    return mean_clinical + _towards_health(direction) * 2 * sd_clinical


def cutoff_b(mean_functional: float, sd_functional: float, *, direction: Direction) -> float:
    """Two SD from the functional mean towards illness (M_func + 2 SD_func on a symptom scale)."""
    _require_finite(mean_functional)
    _require_sd(sd_functional)
    return mean_functional - _towards_health(direction) * 2 * sd_functional


def cutoff_c(mean_clinical: float, sd_clinical: float, mean_functional: float, sd_functional: float) -> float:
    """The point between the two distributions weighted by their SDs; preferred when they overlap (2.2)."""
    for mean in (mean_clinical, mean_functional):
        _require_finite(mean)
    for sd in (sd_clinical, sd_functional):
        _require_sd(sd)
    return (sd_clinical * mean_functional + sd_functional * mean_clinical) / (sd_clinical + sd_functional)


class JacobsonTruaxCategory(StrEnum):
    RECOVERED = "recovered"  # reliable improvement and crossed the cut-off
    IMPROVED = "improved"  # reliable improvement, did not cross
    UNCHANGED = "unchanged"
    DETERIORATED = "deteriorated"  # reliable worsening


def _improvement(direction: Direction, before: float, after: float) -> float:
    return before - after if direction is Direction.LOWER_IS_BETTER else after - before


def _is_dysfunctional(score: float, cutoff: float, direction: Direction) -> bool:
    # A score on the cut-off counts as dysfunctional, as a PHQ-9 of exactly 10 is a case under ">= 10".
    return score >= cutoff if direction is Direction.LOWER_IS_BETTER else score <= cutoff


def jacobson_truax_category(
    pre: float, post: float, *, threshold: float, cutoff: float, direction: Direction
) -> JacobsonTruaxCategory:
    """Recovered, improved, unchanged or deteriorated (2.2).

    ``threshold`` is the reliable change in points (|change| >= threshold is reliable, as 2.1's
    "X_pre - X_post >= RC_points"). "Crossed the cut-off" means dysfunctional before and functional after; a
    client who started on the functional side can improve but not recover.
    """
    for value in (pre, post, cutoff):
        _require_finite(value)
    if not (math.isfinite(threshold) and threshold > 0):
        raise ValueError(f"{THRESHOLD_NOT_POSITIVE}, got {threshold!r}")
    improvement = _improvement(direction, pre, post)
    if -improvement >= threshold:
        return JacobsonTruaxCategory.DETERIORATED
    if improvement < threshold:
        return JacobsonTruaxCategory.UNCHANGED
    crossed = _is_dysfunctional(pre, cutoff, direction) and not _is_dysfunctional(post, cutoff, direction)
    return JacobsonTruaxCategory.RECOVERED if crossed else JacobsonTruaxCategory.IMPROVED


# ---------------------------------------------------------------------------------------------------------------
# Change on one instrument with its convention (instruments.md 2.4, 2.5)
# ---------------------------------------------------------------------------------------------------------------


# Three-valued logic: None is "unknown" (not measured, or a rule that cannot apply). A result is decided only when
# the known values force it whatever the unknown ones are (True or unknown is True; False and unknown is False).


def _all(*values: bool | None) -> bool | None:
    if any(value is False for value in values):
        return False
    return None if any(value is None for value in values) else True


def _any(*values: bool | None) -> bool | None:
    if any(value is True for value in values):
        return True
    return None if any(value is None for value in values) else False


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


@dataclass(frozen=True)
class ChangeStatus:
    """How a client's score moved between a baseline and a later administration.

    ``change`` is current - baseline in the convention's unit (WHO-5: percentage points). A None means the
    instrument has no such rule, or the rule cannot be applied (a response from a baseline of 0).

    ``percent_reduction`` is (baseline - current) / baseline x 100: the share of the symptoms that went. It is
    given only for lower-is-better scales whose range starts at 0, and only when the baseline is above 0 (2.5).
    On a higher-is-better scale (WHO-5, MSPSS) 0 is the worst state, so a relative change is not "symptoms gone",
    and the reference judges those scales by absolute points only; it is None there, as it is for K10, whose
    10-50 scoring has no zero.

    ``response``, ``remission`` and ``clinically_significant`` judge the two scores as given: the eligibility of
    the baseline (NQF counts only an index PHQ-9 > 9) and its choice (first score of the episode, or the score at
    treatment start) are the report's decision, not this function's.
    """

    code: str
    baseline: float
    current: float
    change: float
    reliable_improvement: bool | None
    reliable_deterioration: bool | None
    percent_reduction: float | None
    response: bool | None
    remission: bool | None
    clinically_significant: bool | None


def _require_in_range(convention: ChangeConvention, score: float) -> None:
    _require_finite(score)
    if convention.raw_range is None:
        return
    low, high = convention.raw_range
    if not low <= score <= high:
        # The likeliest cause on WHO-5 is a percentage passed where the raw total belongs.
        raise ValueError(f"{SCORE_OUT_OF_RANGE}: {convention.name} raw total {score!r} is not in {low:g}-{high:g}")


def _reduction_met(fraction: float, baseline: float, current: float) -> bool | None:
    # Compared without dividing, so exactly 50 % (10 -> 5) is a response and never lost to rounding.
    if baseline <= 0:
        return None
    return baseline - current >= fraction * baseline


def classify_change(code: str, baseline: float, current: float) -> ChangeStatus:
    """Change between two raw totals on one instrument, judged by ``CHANGE_CONVENTIONS[code]``."""
    convention = change_convention(code)
    _require_in_range(convention, baseline)
    _require_in_range(convention, current)
    factor = convention.units_per_raw_point
    before, after = baseline * factor, current * factor
    improvement = _improvement(convention.direction, before, after)

    reliable_improvement: bool | None = None
    reliable_deterioration: bool | None = None
    if convention.reliable_change is not None:
        reliable_improvement = improvement >= convention.reliable_change.value
        reliable_deterioration = -improvement >= convention.reliable_change.value

    has_zero_floor = convention.raw_range is not None and convention.raw_range[0] == 0
    percent_reduction: float | None = None
    if convention.direction is Direction.LOWER_IS_BETTER and has_zero_floor and before > 0:
        percent_reduction = (before - after) / before * 100

    response = None
    if convention.response_reduction is not None:
        response = _reduction_met(convention.response_reduction.value, before, after)

    remission = None if convention.remission is None else convention.remission.is_met_by(after)

    clinically_significant = None
    final, reduction = convention.clinically_significant_final, convention.clinically_significant_reduction
    if final is not None and reduction is not None:
        # A final score above 9 settles it even from a baseline of 0; otherwise the reduction must be known.
        clinically_significant = _all(final.is_met_by(after), _reduction_met(reduction.value, before, after))

    return ChangeStatus(
        code=code,
        baseline=baseline,
        current=current,
        change=after - before,
        reliable_improvement=reliable_improvement,
        reliable_deterioration=reliable_deterioration,
        percent_reduction=percent_reduction,
        response=response,
        remission=remission,
        clinically_significant=clinically_significant,
    )


def is_case(code: str, score: float) -> bool | None:
    """Whether a raw total is at or past the instrument's caseness cut-off; None if it has none."""
    convention = change_convention(code)
    _require_in_range(convention, score)
    if convention.caseness is None:
        return None
    return convention.caseness.is_met_by(score * convention.units_per_raw_point)


# ---------------------------------------------------------------------------------------------------------------
# NHS Talking Therapies composite outcomes (instruments.md 2.4 [M])
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TalkingTherapiesOutcome:
    """The five NHS Talking Therapies outcomes of one course; None where the missing measures leave it open."""

    caseness_at_start: bool | None
    recovery: bool | None
    reliable_improvement: bool | None
    reliable_recovery: bool | None
    reliable_deterioration: bool | None


def _reliable(code: str, first: int | None, last: int | None) -> tuple[bool | None, bool | None]:
    if first is None or last is None:
        return None, None
    status = classify_change(code, first, last)
    return status.reliable_improvement, status.reliable_deterioration


def _case(code: str, score: int | None) -> bool | None:
    return None if score is None else is_case(code, score)


def talking_therapies_outcome(
    *, phq9_first: int | None, phq9_last: int | None, gad7_first: int | None, gad7_last: int | None
) -> TalkingTherapiesOutcome:
    """The IAPT composite definitions of instruments.md 2.4, as stated there.

    The reference tags them [M]: check them against the NHS Talking Therapies manual before reports rely on them.

    * case at start: PHQ-9 >= 10 or GAD-7 >= 8 at the first measurement;
    * recovery: a case at start, and below caseness on both measures at the last;
    * reliable improvement: at least one measure reliably improved (PHQ-9 by 6, GAD-7 by 4), neither reliably
      deteriorated;
    * reliable recovery: recovery and reliable improvement;
    * reliable deterioration: either measure reliably worse.

    A measure not taken is None. Nothing is guessed for it: an outcome is decided only when the measures that
    were taken decide it (a PHQ-9 of 15 makes a case whatever the GAD-7; a PHQ-9 of 5 without a GAD-7 leaves
    caseness open), otherwise it is None. Recovery for a client who was not a case at start is False, as the
    definition reads; a recovery rate takes its denominator from ``caseness_at_start``. Reliable improvement and
    deterioration do not depend on caseness, as the definition reads. The anxiety-disorder-specific measures
    that may replace the GAD-7 are not handled here.
    """
    phq9_improved, phq9_worse = _reliable("phq9", phq9_first, phq9_last)
    gad7_improved, gad7_worse = _reliable("gad7", gad7_first, gad7_last)
    caseness_at_start = _any(_case("phq9", phq9_first), _case("gad7", gad7_first))
    below_caseness_at_end = _all(_not(_case("phq9", phq9_last)), _not(_case("gad7", gad7_last)))
    recovery = _all(caseness_at_start, below_caseness_at_end)
    reliable_deterioration = _any(phq9_worse, gad7_worse)
    reliable_improvement = _all(_any(phq9_improved, gad7_improved), _not(reliable_deterioration))
    return TalkingTherapiesOutcome(
        caseness_at_start=caseness_at_start,
        recovery=recovery,
        reliable_improvement=reliable_improvement,
        reliable_recovery=_all(recovery, reliable_improvement),
        reliable_deterioration=reliable_deterioration,
    )
