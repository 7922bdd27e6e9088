"""Read a FHIR R4 Questionnaire into a scoring key: its answerable items, each option's score, and its total item.

Tolerant by design, because the public Questionnaires are not all valid FHIR (instruments.md section 19.1): codings
without ``system`` are read as LOINC when the code looks like LOINC; a ``questionnaire-optionPrefix`` that is a JSON
number is read as text (with a warning); nested groups are walked; ``answerValueSet "#id"`` is resolved against
``contained`` (both ``compose.include.concept`` and ``expansion.contains``).

Scores: an option's score is its ``ordinalValue`` (also ``iso21090-CO-value`` or R5 ``itemWeight``) on the option or
on its ``valueCoding``; an ``answerOption.valueInteger`` without one scores its own value. An option with no score is
recorded but not summed, and an item none of whose options has a score is answerable but not scored (e.g. the PHQ-9
difficulty item).

The total item is an ``integer``/``decimal``/``quantity`` item whose code is a known total LOINC (one of the shipped
instruments' ``loinc_total``); failing that, the first such item that is ``readOnly`` or has an SDC
``calculatedExpression``.

Shipped instrument: identified by ``Questionnaire.code`` = its LOINC panel, else the total item's code = its LOINC
total, else the set of scored item LOINC codes = the instrument's. Items are then matched to the instrument's items by
LOINC code (``item.code``, or a linkId ``/<loinc>``); scored items left unmatched (a Questionnaire not LOINC-coded,
like the SDC example) are matched by position: the k-th scored item of the Questionnaire is the instrument's k-th
scored item, only when both have the same number of scored items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from iptriad.core.fhir.codes import (
    CALCULATED_EXPRESSION,
    JSON,
    OPTION_PREFIX,
    WEIGHT_EXTENSIONS,
    loinc_code,
    number,
)
from iptriad.core.instruments.loader import instruments
from iptriad.core.instruments.model import Instrument

ANSWERABLE_TYPES = {"choice", "open-choice", "coding"}  # "coding" is R5's name for choice
TOTAL_TYPES = {"integer", "decimal", "quantity"}
# The totals instruments.md 19.3 lists, in case a definition file does not (yet) carry its loinc_total.
REFERENCE_TOTALS = {"44261-6", "70274-6", "55758-7", "89204-2"}


class FhirInputError(ValueError):
    """A FHIR resource given to the import cannot be used; the message says why."""


@dataclass(frozen=True)
class KeyOption:
    position: int  # 0-based, in the order the Questionnaire lists the options
    system: str | None
    code: str | None
    display: str | None
    value: int | float | str | None  # for non-coding options (valueInteger, valueString ...)
    score: int | float | None  # None: recorded, not summed
    prefix: str | None = None  # the printed label (questionnaire-optionPrefix)


@dataclass(frozen=True)
class KeyItem:
    link_id: str
    text: str | None
    loinc: str | None
    options: tuple[KeyOption, ...]
    instrument_item: int | None = None  # number of the matching item of the shipped instrument

    @property
    def scored(self) -> bool:
        return any(option.score is not None for option in self.options)


@dataclass(frozen=True)
class ScoringKey:
    url: str | None
    title: str | None
    loinc_panel: str | None
    items: tuple[KeyItem, ...]  # answerable items, in document order
    total_link_id: str | None
    total_loinc: str | None
    instrument: Instrument | None  # the shipped instrument the Questionnaire is, when recognised
    matched_by: str  # how items were matched to the instrument: "loinc", "position", "loinc+position" or ""
    warnings: tuple[str, ...] = ()

    @property
    def scored_items(self) -> tuple[KeyItem, ...]:
        return tuple(item for item in self.items if item.scored)

    def item(self, link_id: str) -> KeyItem | None:
        return next((item for item in self.items if item.link_id == link_id), None)


def _weight(extensions: object, where: str, warnings: list[str]) -> int | float | None:
    if not isinstance(extensions, list):
        return None
    for extension in extensions:
        if not isinstance(extension, dict) or extension.get("url") not in WEIGHT_EXTENSIONS:
            continue
        for key in ("valueDecimal", "valueInteger"):
            value = number(extension.get(key))
            if value is not None:
                return value
        text = extension.get("valueString")
        if isinstance(text, str) and re.fullmatch(r"-?\d+(\.\d+)?", text.strip()):
            warnings.append(f"{where}: score given as a string ({text!r}); read as a number")
            return number(float(text))
        warnings.append(f"{where}: score extension without a numeric value; ignored")
    return None


def _prefix(extensions: object, where: str, warnings: list[str]) -> str | None:
    for extension in extensions if isinstance(extensions, list) else []:
        if isinstance(extension, dict) and extension.get("url") == OPTION_PREFIX and "valueString" in extension:
            value = extension["valueString"]
            if not isinstance(value, str):
                warnings.append(f"{where}: optionPrefix is a JSON {type(value).__name__}, not a string; read as text")
            return str(value)
    return None


def _answer_options(raw: list[Any], where: str, warnings: list[str]) -> tuple[KeyOption, ...]:
    options = []
    for position, entry in enumerate(raw):
        if not isinstance(entry, dict):
            continue
        label = f"{where} option {position + 1}"
        coding = entry.get("valueCoding")
        score = _weight(entry.get("extension"), label, warnings)
        if isinstance(coding, dict):
            if score is None:
                score = _weight(coding.get("extension"), label, warnings)
            options.append(
                KeyOption(
                    position=position,
                    system=coding.get("system"),
                    code=coding.get("code"),
                    display=coding.get("display"),
                    value=None,
                    score=score,
                    prefix=_prefix(entry.get("extension"), label, warnings),
                )
            )
            continue
        value = next((entry[k] for k in entry if k.startswith("value")), None)
        if score is None:
            score = number(value)  # an integer option without a weight scores its own value
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            value = None
        options.append(
            KeyOption(
                position=position,
                system=None,
                code=None,
                display=None,
                value=value,
                score=score,
                prefix=_prefix(entry.get("extension"), label, warnings),
            )
        )
    return tuple(options)


def _value_set_options(questionnaire: JSON, ref: str, where: str, warnings: list[str]) -> tuple[KeyOption, ...]:
    if not ref.startswith("#"):
        warnings.append(f"{where}: answerValueSet {ref!r} is not contained; the item is not scored")
        return ()
    contained = questionnaire.get("contained") or []
    value_set = next((r for r in contained if isinstance(r, dict) and r.get("id") == ref[1:]), None)
    if value_set is None:
        warnings.append(f"{where}: answerValueSet {ref!r} is not in contained; the item is not scored")
        return ()
    concepts: list[tuple[str | None, JSON]] = []
    for include in (value_set.get("compose") or {}).get("include") or []:
        concepts += [(include.get("system"), c) for c in include.get("concept") or [] if isinstance(c, dict)]
    if not concepts:
        contains = (value_set.get("expansion") or {}).get("contains") or []
        concepts = [(c.get("system"), c) for c in contains if isinstance(c, dict)]
    return tuple(
        KeyOption(
            position=position,
            system=system,
            code=concept.get("code"),
            display=concept.get("display"),
            value=None,
            score=_weight(concept.get("extension"), f"{where} option {position + 1}", warnings),
        )
        for position, (system, concept) in enumerate(concepts)
    )


def _item_loinc(item: JSON) -> str | None:
    code = loinc_code(item.get("code"))
    if code is None:
        match = re.fullmatch(r"/?(\d{1,7}-\d)", str(item.get("linkId", "")))
        code = match.group(1) if match else None
    return code


def _walk(items: object) -> list[JSON]:
    found: list[JSON] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            found.append(item)
            found += _walk(item.get("item"))
    return found


def _is_calculated(item: JSON) -> bool:
    extensions = item.get("extension") or []
    return item.get("readOnly") is True or any(
        isinstance(e, dict) and e.get("url") == CALCULATED_EXPRESSION for e in extensions
    )


def _known_totals() -> set[str]:
    return REFERENCE_TOTALS | {i.loinc_total for i in instruments().values() if i.loinc_total}


def _identify(panel: str | None, total: str | None, items: list[KeyItem]) -> Instrument | None:
    shipped = [instrument for _, instrument in sorted(instruments().items())]
    for instrument in shipped:
        if panel and instrument.loinc_panel == panel:
            return instrument
    for instrument in shipped:
        if total and instrument.loinc_total == total:
            return instrument
    codes = {item.loinc for item in items if item.scored and item.loinc}
    for instrument in shipped:
        if codes and codes == {item.loinc for item in instrument.scored_items if item.loinc}:
            return instrument
    return None


def _match(instrument: Instrument, items: list[KeyItem], warnings: list[str]) -> tuple[list[KeyItem], str]:
    """Set each item's `instrument_item`: by LOINC code, then scored items by position (module docstring)."""
    by_loinc = {item.loinc: item.number for item in instrument.items if item.loinc}
    taken: set[int] = set()
    numbers: list[int | None] = []
    for item in items:
        found = by_loinc.get(item.loinc) if item.loinc else None
        if found in taken:
            warnings.append(f"item {item.link_id}: {instrument.code} item {found} is already matched; ignored")
            found = None
        if found is not None:
            taken.add(found)
        numbers.append(found)
    rules = {"loinc"} if taken else set()
    scored = [index for index, item in enumerate(items) if item.scored]
    expected = [item.number for item in instrument.scored_items]
    unmatched = [index for index in scored if numbers[index] is None]
    if unmatched and len(scored) == len(expected):
        for rank, index in enumerate(scored):
            if numbers[index] is None and expected[rank] not in taken:
                numbers[index] = expected[rank]
                taken.add(expected[rank])
                rules.add("position")
    elif unmatched:
        warnings.append(
            f"{len(unmatched)} scored items match no {instrument.code} item by LOINC code, and the "
            f"Questionnaire has {len(scored)} scored items, not {len(expected)}: they are not matched by position"
        )
    matched = [
        KeyItem(item.link_id, item.text, item.loinc, item.options, number_)
        for item, number_ in zip(items, numbers, strict=True)
    ]
    return matched, "+".join(rule for rule in ("loinc", "position") if rule in rules)


def questionnaire_to_scoring_key(questionnaire: JSON) -> ScoringKey:
    """Build the scoring key of a FHIR Questionnaire (see the module docstring for every rule)."""
    if not isinstance(questionnaire, dict) or questionnaire.get("resourceType") != "Questionnaire":
        raise FhirInputError("not a FHIR Questionnaire (resourceType must be 'Questionnaire')")
    warnings: list[str] = []
    known_totals = _known_totals()
    items: list[KeyItem] = []
    total_candidates: list[tuple[bool, JSON]] = []
    for raw in _walk(questionnaire.get("item")):
        link_id = raw.get("linkId")
        if not isinstance(link_id, str) or not link_id:
            warnings.append("an item without a linkId was skipped")
            continue
        kind = raw.get("type")
        if kind in TOTAL_TYPES and (_item_loinc(raw) in known_totals or _is_calculated(raw)):
            total_candidates.append((_item_loinc(raw) in known_totals, raw))
            continue
        if kind not in ANSWERABLE_TYPES and "answerOption" not in raw and "answerValueSet" not in raw:
            continue
        where = f"item {link_id}"
        if isinstance(raw.get("answerOption"), list):
            options = _answer_options(raw["answerOption"], where, warnings)
        elif isinstance(raw.get("answerValueSet"), str):
            options = _value_set_options(questionnaire, raw["answerValueSet"], where, warnings)
        else:
            warnings.append(f"{where}: no answer options; not scored")
            options = ()
        text = raw.get("text")
        items.append(KeyItem(link_id, text if isinstance(text, str) else None, _item_loinc(raw), options))
    if not any(item.scored for item in items):
        raise FhirInputError("the Questionnaire has no scored item (no answer option carries a score)")
    total_candidates.sort(key=lambda candidate: not candidate[0])  # a known total LOINC first; stable otherwise
    if len(total_candidates) > 1:
        chosen = total_candidates[0][1].get("linkId")
        warnings.append(f"{len(total_candidates)} items look like a total; {chosen} is used")
    total = total_candidates[0][1] if total_candidates else None
    total_loinc = _item_loinc(total) if total else None
    panel = loinc_code(questionnaire.get("code"))
    instrument = _identify(panel, total_loinc, items)
    matched_by = ""
    if instrument is not None:
        items, matched_by = _match(instrument, items, warnings)
    title = questionnaire.get("title") or questionnaire.get("name")
    return ScoringKey(
        url=questionnaire.get("url") if isinstance(questionnaire.get("url"), str) else None,
        title=title if isinstance(title, str) else None,
        loinc_panel=panel,
        items=tuple(items),
        total_link_id=total.get("linkId") if total else None,
        total_loinc=total_loinc,
        instrument=instrument,
        matched_by=matched_by,
        warnings=tuple(warnings),
    )
