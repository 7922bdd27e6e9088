"""Score a FHIR R4 QuestionnaireResponse against a scoring key, recomputing the total from the answers.

The total a response states (its total item's answer: ``valueDecimal``, ``valueInteger``, ``valueQuantity.value`` or a
numeric ``valueString``) is never trusted: it is reported as ``stated_total`` and compared with the recomputed total,
and any disagreement sets ``mismatch`` with a message giving both numbers.

The recomputed ``total``: when the key recognised a shipped instrument, each answer is turned into the position of the
matching option of our definition (LOINC answer code first, then the one option with the same score, then the same
printed position when both list as many options) and scored by ``iptriad.core.instruments.score``, so bands, the
missing-data policy and critical-item rules are ours (``result``). Otherwise it is the sum of the Questionnaire's
scores, and, with no missing-data rule known, any unanswered scored item leaves it ``None``; ``raw_total`` is always the
plain sum of the answered scored items, whatever is missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from iptriad.core.fhir.codes import JSON, LOINC, number
from iptriad.core.fhir.key import FhirInputError, KeyItem, KeyOption, ScoringKey
from iptriad.core.instruments.model import Instrument, Item
from iptriad.core.instruments.scoring import AnswerError, ScoreResult, accepted_answer_counts, score

ANSWERED_STATUSES = {"completed", "amended"}


@dataclass(frozen=True)
class ImportedScore:
    total: int | float | None  # recomputed; None when the answers give no valid total
    raw_total: int | float | None  # plain sum of the answered scored items (no missing-data rule)
    stated_total: int | float | None  # what the response itself says, if anything
    mismatch: bool
    message: str | None  # says how the stated and recomputed totals disagree
    band: str | None
    item_scores: dict[str, int | float | None]  # linkId -> score of the chosen option, for answered items
    unanswered: tuple[str, ...]  # linkIds of scored items with no usable answer
    critical: tuple[str, ...]  # linkIds of critical items whose answer raises a risk alert
    critical_not_answered: tuple[str, ...]  # critical items left unanswered: "not answered", never 0
    result: ScoreResult | None  # iptriad's own score, when the Questionnaire is a shipped instrument
    problems: tuple[str, ...] = field(default=())

    @property
    def risk(self) -> bool:
        return bool(self.critical)


def _answers(items: object, found: dict[str, list[JSON]], problems: list[str]) -> None:
    """Collect every item's answers by linkId, through nested groups and answers with sub-items."""
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link_id = item.get("linkId")
        answers = [a for a in item.get("answer") or [] if isinstance(a, dict)]
        if isinstance(link_id, str) and answers:
            if link_id in found:
                problems.append(f"item {link_id} is answered more than once; the first answer is used")
            else:
                found[link_id] = answers
        _answers(item.get("item"), found, problems)
        for answer in answers:
            _answers(answer.get("item"), found, problems)


def _chosen(item: KeyItem, answer: JSON) -> KeyOption | None:
    coding = answer.get("valueCoding")
    if isinstance(coding, dict):
        for option in item.options:
            same_system = option.system is None or coding.get("system") is None or option.system == coding["system"]
            if option.code is not None and option.code == coding.get("code") and same_system:
                return option
        return None
    value = next((answer[k] for k in answer if k.startswith("value")), None)
    return next((o for o in item.options if o.value is not None and o.value == value), None)


def _stated(answers: list[JSON] | None, problems: list[str]) -> int | float | None:
    if not answers:
        return None
    answer = answers[0]
    quantity = answer.get("valueQuantity")
    raw = quantity.get("value") if isinstance(quantity, dict) else None
    for key in ("valueDecimal", "valueInteger"):
        raw = answer.get(key, raw)
    stated = number(raw)
    text = answer.get("valueString")
    if stated is None and isinstance(text, str):
        try:
            stated = number(float(text))
        except ValueError:
            stated = None
    if stated is None:
        problems.append("the stated total is not a number; ignored")
    return stated


def _position(item: Item, key_item: KeyItem, option: KeyOption, problems: list[str]) -> int | None:
    """The position of the definition's option matching a Questionnaire option (module docstring)."""
    if option.code and option.system in (None, LOINC):
        for position, ours in enumerate(item.options):
            if ours.loinc == option.code:
                if ours.score is not None and option.score is not None and float(ours.score) != float(option.score):
                    problems.append(
                        f"item {key_item.link_id}: the Questionnaire scores {option.code} as {option.score}, "
                        f"iptriad's definition as {ours.score}; iptriad's is used"
                    )
                return position
    if option.score is not None:
        same = [p for p, ours in enumerate(item.options) if ours.score is not None and ours.score == option.score]
        if len(same) == 1:
            return same[0]
    if len(key_item.options) == len(item.options):
        return option.position
    problems.append(f"item {key_item.link_id}: answer {option.code or option.value} matches no option of ours")
    return None


def _score_instrument(
    instrument: Instrument, key: ScoringKey, chosen: dict[str, KeyOption], problems: list[str]
) -> ScoreResult | None:
    positions: dict[int, int | None] = {}
    for key_item in key.items:
        if key_item.instrument_item is None or key_item.link_id not in chosen:
            continue
        item = instrument.item(key_item.instrument_item)
        positions[item.number] = _position(item, key_item, chosen[key_item.link_id], problems)
    present = {item.instrument_item for item in key.items if item.instrument_item is not None}
    counts = accepted_answer_counts(instrument)
    length = counts[-1] if any(n > counts[0] for n in present) else counts[0]
    try:
        return score(instrument, [positions.get(number_) for number_ in range(1, length + 1)])
    except AnswerError as error:  # not expected: positions come from the definition itself
        problems.append(f"iptriad could not score the answers: {error}")
        return None


def _format(value: float) -> str:
    return str(number(value))


def score_questionnaire_response(key: ScoringKey, response: JSON) -> ImportedScore:
    """Recompute the score of a QuestionnaireResponse answering the Questionnaire `key` was built from."""
    if not isinstance(response, dict) or response.get("resourceType") != "QuestionnaireResponse":
        raise FhirInputError("not a FHIR QuestionnaireResponse (resourceType must be 'QuestionnaireResponse')")
    problems: list[str] = []
    if response.get("status") not in ANSWERED_STATUSES:
        problems.append(f"the response status is {response.get('status')!r}, not completed")
    canonical = response.get("questionnaire")
    if key.url and isinstance(canonical, str) and canonical.split("|")[0] != key.url:
        problems.append(f"the response answers {canonical}, not {key.url}")
    answers: dict[str, list[JSON]] = {}
    _answers(response.get("item"), answers, problems)
    known = {item.link_id for item in key.items} | {key.total_link_id}
    problems += [f"item {link_id} is not in the Questionnaire; ignored" for link_id in answers if link_id not in known]

    chosen: dict[str, KeyOption] = {}
    for item in key.items:
        if item.link_id not in answers:
            continue
        option = _chosen(item, answers[item.link_id][0])
        if option is None:
            problems.append(f"item {item.link_id}: the answer is not one of the item's options; treated as unanswered")
        else:
            chosen[item.link_id] = option
    item_scores = {link_id: option.score for link_id, option in chosen.items()}
    scored = key.scored_items
    unanswered = tuple(item.link_id for item in scored if item.link_id not in chosen)
    values = [item_scores[item.link_id] for item in scored if item_scores.get(item.link_id) is not None]
    raw_total = number(sum(v for v in values if v is not None)) if values else None

    result = _score_instrument(key.instrument, key, chosen, problems) if key.instrument else None
    link_of = {item.instrument_item: item.link_id for item in key.items if item.instrument_item is not None}
    if result is not None:
        total = result.total
        critical = tuple(link_of.get(n, f"{result.instrument} item {n}") for n in result.critical)
        not_answered = tuple(link_of.get(n, f"{result.instrument} item {n}") for n in result.critical_not_answered)
    else:
        total = raw_total if not unanswered else None
        critical, not_answered = (), ()
        if unanswered and values:
            problems.append(f"{len(unanswered)} scored items unanswered and no missing-data rule is known: no total")

    stated = _stated(answers.get(key.total_link_id) if key.total_link_id else None, problems)
    message = None
    if stated is not None and total is None:
        message = f"the response states a total of {_format(stated)}, but its answers give no valid total"
    elif stated is not None and total is not None and not math.isclose(stated, total, abs_tol=1e-9):
        message = f"stated total {_format(stated)} differs from the recomputed total {_format(total)}"
    return ImportedScore(
        total=total,
        raw_total=raw_total,
        stated_total=stated,
        mismatch=message is not None,
        message=message,
        band=result.band if result is not None else None,
        item_scores=item_scores,
        unanswered=unanswered,
        critical=critical,
        critical_not_answered=not_answered,
        result=result,
        problems=tuple(problems),
    )
