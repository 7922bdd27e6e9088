"""One scoring engine for every instrument: answers in, total, band, validity, missing and critical items out.

An answer is the 0-based position of the chosen option in the order the form prints it (None when the item
was not answered), so reverse keys are applied here, from the data, never by the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from iptriad.core.instruments.model import Instrument, Item, MissingPolicy, Scoring, Subscale

MEAN_DECIMALS = 2
RISK_ITEM_NOT_PRORATED = "risk item {items} not answered: a risk item is never filled in by prorating"


class AnswerError(ValueError):
    """The answers do not fit the instrument (count, or a position out of range); the message says how."""


@dataclass(frozen=True)
class ScoreResult:
    instrument: str
    version: str
    total: int | float | None  # None when the answers do not allow a valid total
    band: str | None
    valid: bool
    missing: tuple[int, ...]  # numbers of asked items left unanswered
    critical: tuple[int, ...]  # numbers of items whose answer raises a risk alert
    critical_not_answered: tuple[int, ...]  # critical items left unanswered: shown as "not answered", never 0
    subscales: dict[str, int | float | None]
    prorated: bool = False
    item_scores: tuple[int | float | None, ...] = ()
    derived: dict[str, int | float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()  # why the total is invalid, in words
    # What a valid total counts when it is not every scored item as answered, in words ("" when it is): items left
    # out (WSAS work item for someone retired, HAM-D item 16 not assessed) with the maximum left, or prorating.
    basis: str = ""

    @property
    def risk(self) -> bool:
        return bool(self.critical)


def round_half_up(value: float, decimals: int = 0) -> int | float:
    """Round as people do (2.5 -> 3), not as Python's round() does (2.5 -> 2); whole numbers come back as int."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(rounded) if decimals == 0 else float(rounded)


def accepted_answer_counts(instrument: Instrument) -> tuple[int, ...]:
    """Every item, or the items up to the last scored one: trailing unscored questions may be left off,
    but never a critical one (PHQ-A asks about suicide after its scored items)."""
    last_needed = max(item.number for item in instrument.items if item.scored or item.critical is not None)
    return tuple(sorted({last_needed, len(instrument.items)}))


def _check(instrument: Instrument, answers: Sequence[int | None]) -> None:
    counts = accepted_answer_counts(instrument)
    if len(answers) not in counts:
        expected = " or ".join(str(count) for count in counts)
        raise AnswerError(f"{instrument.code} takes {expected} answers, not {len(answers)}")
    for item, position in zip(instrument.items, answers, strict=False):
        if item.count is not None:
            if position is not None and not 0 <= position <= item.count.maximum:
                raise AnswerError(
                    f"{instrument.code} item {item.number}: the count {position} is out of range 0-{item.count.maximum}"
                )
            continue
        if position is not None and not 0 <= position < len(item.options):
            raise AnswerError(
                f"{instrument.code} item {item.number}: position {position} is out of range 0-{len(item.options) - 1}"
            )


def _numbers(numbers: Sequence[int]) -> str:
    """Item numbers as a person writes them: 1, 2, 3, 5 -> "1-3, 5"."""
    runs: list[list[int]] = []
    for number in sorted(numbers):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(str(run[0]) if len(run) < 3 else f"{run[0]}-{run[-1]}" for run in runs)


def _basis(
    instrument: Instrument,
    asked: Sequence[Item],
    answers: Sequence[int | None],
    not_applicable: frozenset[int],
    missing: Sequence[int],
    prorated: bool,
) -> str:
    """What a valid total counts, when it is not simply every scored item: said with the total, never implied."""
    scored = [item for item in asked if item.scored]
    left_out: list[tuple[Item, str]] = []
    for item, position in zip(asked, answers, strict=True):
        if not item.scored:
            continue
        if item.number in not_applicable:
            left_out.append((item, "does not apply"))
        elif position is not None and item.options[position].score is None:
            text = item.options[position].text
            left_out.append((item, f"answered “{text}”" if text else "not scored"))
    parts: list[str] = []
    if left_out:
        out_numbers = {item.number for item, _ in left_out}
        kept = [item.number for item in scored if item.number not in out_numbers]
        because = "; ".join(f"item {item.number} {label}" for item, label in left_out)
        if instrument.scoring == Scoring.SUM:
            out_of = instrument.score_range[1] - sum(
                max(option.score for option in item.options if option.score is not None) for item, _ in left_out
            )
            parts.append(f"items {_numbers(kept)} only, out of {out_of:g} ({because})")
        else:
            parts.append(f"items {_numbers(kept)} only ({because})")
    if prorated:
        parts.append(f"prorated: item {_numbers(missing)} not answered, counted at the mean of the answered items")
    elif missing and instrument.missing.policy == MissingPolicy.MIN_ANSWERED:
        parts.append(f"mean of the answered items: item {_numbers(missing)} not answered")
    return "; ".join(parts)


def _combine(values: list[int | float], count: int, scoring: Scoring) -> int | float:
    """A sum over `count` items from the answered `values`, prorating any gap, or their mean."""
    mean = sum(values) / len(values)
    if scoring == Scoring.MEAN:
        return round_half_up(mean, MEAN_DECIMALS)
    if len(values) == count:
        return sum(values)
    return round_half_up(mean * count)


def _total(
    instrument: Instrument, scores: dict[int, int | float | None], asked: list[Item], not_applicable: set[int]
) -> tuple[int | float | None, bool, list[str]]:
    scored = [item for item in asked if item.scored and item.number not in not_applicable]
    answered = [scores[item.number] for item in scored if item.number in scores]
    values = [value for value in answered if value is not None]  # None: an excluded option ("not assessed")
    missing = len(scored) - len(answered)
    policy = instrument.missing
    if not values:
        return None, False, ["no scored item was answered"]
    if policy.policy == MissingPolicy.SUBSCALES:
        return _mean_of_subscales(instrument, scores)
    if missing == 0:
        return _combine(values, len(values), instrument.scoring), False, []
    reasons = []
    if policy.policy == MissingPolicy.MIN_ANSWERED:
        if len(answered) < policy.min_answered:
            reasons.append(f"only {len(answered)} of {len(scored)} items answered; {policy.min_answered} needed")
    elif policy.policy == MissingPolicy.INVALID or missing > policy.max_missing:
        allowed = 0 if policy.policy == MissingPolicy.INVALID else policy.max_missing
        reasons.append(f"{missing} items unanswered; at most {allowed} allowed")
    # A risk item is never filled in from the others (instruments.md §0, §3: "Never prorate item 9"), so a total that
    # would need it is not valid. A total without it (the PHQ-8) would need its own bands, which the reference lacks.
    unanswered_risk = [item.number for item in scored if item.critical is not None and item.number not in scores]
    if unanswered_risk and policy.policy != MissingPolicy.INVALID:
        reasons.append(RISK_ITEM_NOT_PRORATED.format(items=_numbers(unanswered_risk)))
    if reasons:
        return None, False, reasons
    if policy.policy == MissingPolicy.MIN_ANSWERED:
        return _combine(values, len(values), instrument.scoring), False, []
    # PRORATE and IMPUTE_MEAN give the same total: each gap takes the mean of the answered items.
    countable = len(values) + missing
    return _combine(values, countable, instrument.scoring), True, []


def _mean_of_subscales(
    instrument: Instrument, scores: dict[int, int | float | None]
) -> tuple[int | float | None, bool, list[str]]:
    """The mean of the subscale means (EDE-Q global score), valid only when every subscale is scored.

    It averages the exact subscale means (fractions, so 1.425 is not 1.42499...) and rounds once, on the total."""
    means: list[Fraction] = []
    reasons: list[str] = []
    for subscale in instrument.subscales:
        values = [Fraction(str(v)) for n in subscale.items if (v := scores.get(n)) is not None]
        if len(values) < subscale.min_answered or not values:
            answered = f"{len(values)} of {len(subscale.items)} items answered"
            reasons.append(f"{subscale.name}: {answered}; {subscale.min_answered} needed")
        else:
            means.append(sum(values, Fraction(0)) / len(values))
    if reasons:
        return None, False, reasons
    mean = sum(means, Fraction(0)) / len(means)
    exact = Decimal(mean.numerator) / Decimal(mean.denominator)
    return float(exact.quantize(Decimal(1).scaleb(-MEAN_DECIMALS), rounding=ROUND_HALF_UP)), False, []


def _subscale(subscale: Subscale, scores: dict[int, int | float | None]) -> int | float | None:
    values = [scores[n] for n in subscale.items if n in scores and scores[n] is not None]
    if len(values) < subscale.min_answered or not values:
        return None
    return _combine([v for v in values if v is not None], len(subscale.items), subscale.scoring)


def score(
    instrument: Instrument, answers: Sequence[int | None], *, not_applicable: frozenset[int] = frozenset()
) -> ScoreResult:
    """Score one administration. `not_applicable` items (e.g. WSAS work item when retired) are left out."""
    if instrument.scoring == Scoring.SOCIAL_RHYTHM:
        raise AnswerError(f"{instrument.code} is a diary: score it with iptriad.core.instruments.social_rhythm")
    _check(instrument, answers)
    asked = list(instrument.items[: len(answers)])
    scores: dict[int, int | float | None] = {}
    for item, position in zip(asked, answers, strict=True):
        if position is not None and not item.is_count:  # a count is recorded, never scored
            scores[item.number] = item.options[position].score
    missing = tuple(
        item.number
        for item, position in zip(asked, answers, strict=True)
        if position is None and item.number not in not_applicable
    )
    critical = tuple(
        item.number
        for item in asked
        if item.critical is not None
        and scores.get(item.number) is not None
        and float(scores[item.number] or 0) >= item.critical.min_score
    )
    critical_not_answered = tuple(item.number for item in asked if item.critical is not None and item.number in missing)
    total, prorated, reasons = _total(instrument, scores, asked, set(not_applicable))
    band = instrument.band_for(total) if total is not None else None
    basis = _basis(instrument, asked, answers, not_applicable, missing, prorated) if total is not None else ""
    derived: dict[str, int | float] = {}
    if total is not None and instrument.percentage_factor is not None:
        derived["percentage"] = total * instrument.percentage_factor
    return ScoreResult(
        instrument=instrument.code,
        version=instrument.version,
        total=total,
        band=band.label if band else None,
        valid=total is not None,
        missing=missing,
        critical=critical,
        critical_not_answered=critical_not_answered,
        subscales={s.code: _subscale(s, scores) for s in instrument.subscales},
        prorated=prorated,
        item_scores=tuple(scores.get(item.number) for item in asked),
        derived=derived,
        reasons=tuple(reasons),
        basis=basis,
    )
