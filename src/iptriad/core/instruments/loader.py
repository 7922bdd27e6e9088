"""Read instrument definitions from the versioned TOML files in `data/`, refusing anything malformed."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from iptriad.core.instruments.model import (
    Band,
    CountRule,
    CriticalRule,
    Instrument,
    Item,
    ItemText,
    Missing,
    MissingPolicy,
    Option,
    Respondent,
    Scoring,
    Subscale,
)


class DefinitionError(ValueError):
    """An instrument data file is malformed; the message names the file and the problem."""


def _require(table: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise DefinitionError(f"{where}: missing '{key}'")
    return table[key]


def _only(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise DefinitionError(f"{where}: unknown keys {sorted(unknown)}")


def _options(raw: list[Mapping[str, Any]], where: str) -> tuple[Option, ...]:
    options = []
    for index, entry in enumerate(raw):
        _only(entry, {"score", "text", "loinc", "excluded", "not_applicable"}, f"{where} option {index}")
        not_applicable = bool(entry.get("not_applicable", False))
        if not_applicable and not entry.get("text"):
            raise DefinitionError(f"{where} option {index}: a not-applicable option needs iptriad's own label as text")
        excluded = not_applicable or bool(entry.get("excluded", False))
        score = None if excluded else _require(entry, "score", f"{where} option {index}")
        if not (score is None or (isinstance(score, int | float) and not isinstance(score, bool))):
            raise DefinitionError(f"{where} option {index}: score must be a number")
        options.append(
            Option(score=score, text=entry.get("text"), loinc=entry.get("loinc"), not_applicable=not_applicable)
        )
    if not options:
        raise DefinitionError(f"{where}: no options")
    return tuple(options)


def _count_item(raw: Mapping[str, Any], where: str) -> Item:
    """A count item (how many times or days): no options, never scored, never critical."""
    _only(raw, {"number", "text", "loinc", "scored", "count"}, where)
    if raw.get("scored", False):
        raise DefinitionError(f"{where}: a count item is never scored")
    rule = raw["count"]
    _only(rule, {"max", "source"}, f"{where} count")
    maximum = _require(rule, "max", f"{where} count")
    if not isinstance(maximum, int) or isinstance(maximum, bool) or maximum < 1:
        raise DefinitionError(f"{where} count: max must be a whole number of at least 1")
    return Item(
        number=int(_require(raw, "number", where)),
        options=(),
        text=raw.get("text"),
        loinc=raw.get("loinc"),
        scored=False,
        count=CountRule(maximum=maximum, source=_require(rule, "source", f"{where} count")),
    )


def _item(raw: Mapping[str, Any], option_sets: Mapping[str, tuple[Option, ...]], where: str) -> Item:
    if "count" in raw:
        return _count_item(raw, where)
    _only(raw, {"number", "text", "loinc", "options", "reverse", "scored", "critical", "critical_wording"}, where)
    set_name = _require(raw, "options", where)
    if set_name not in option_sets:
        raise DefinitionError(f"{where}: unknown option set '{set_name}'")
    options = option_sets[set_name]
    if raw.get("reverse", False):
        # Reverse keying: the same printed choices, scored from the other end (e.g. EPDS items 3, 5-10).
        scores = [option.score for option in options][::-1]
        options = tuple(
            Option(score=score, text=option.text, loinc=option.loinc, not_applicable=option.not_applicable)
            for option, score in zip(options, scores, strict=True)
        )
    critical = None
    if "critical" in raw:
        rule = raw["critical"]
        _only(rule, {"min_score", "source", "lifetime"}, f"{where} critical")
        critical = CriticalRule(
            min_score=float(_require(rule, "min_score", where)),
            source=_require(rule, "source", where),
            client_wording=raw.get("critical_wording"),
            lifetime=bool(rule.get("lifetime", False)),
        )
    elif "critical_wording" in raw:
        raise DefinitionError(f"{where}: 'critical_wording' is only for a critical item")
    return Item(
        number=int(_require(raw, "number", where)),
        options=options,
        text=raw.get("text"),
        loinc=raw.get("loinc"),
        scored=bool(raw.get("scored", True)),
        critical=critical,
    )


TOP_LEVEL_KEYS = {
    "code",
    "version",
    "name",
    "short_name",
    "respondent",
    "audience",
    "recall_period",
    "stem",
    "scoring",
    "score_range",
    "higher_is_better",
    "item_text",
    "licence",
    "citation",
    "sources",
    "loinc_panel",
    "loinc_total",
    "notes",
    "percentage_factor",
    "missing",
    "option_sets",
    "items",
    "bands",
    "bands_source",
    "subscales",
}


def parse_instrument(text: str, where: str) -> Instrument:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(f"{where}: {error}") from error
    _only(raw, TOP_LEVEL_KEYS, where)
    option_sets = {
        name: _options(entries, f"{where} option set '{name}'") for name, entries in raw.get("option_sets", {}).items()
    }
    items = tuple(_item(entry, option_sets, f"{where} item {i + 1}") for i, entry in enumerate(raw.get("items", [])))
    if [item.number for item in items] != list(range(1, len(items) + 1)):
        raise DefinitionError(f"{where}: items must be numbered 1, 2, 3 ... in order")
    missing_raw = _require(raw, "missing", where)
    _only(missing_raw, {"policy", "max_missing", "min_answered", "source"}, f"{where} missing")
    bands = tuple(
        Band(lower=float(_require(b, "lower", where)), label=_require(b, "label", where), loinc=b.get("loinc"))
        for b in raw.get("bands", [])
    )
    if [band.lower for band in bands] != sorted(band.lower for band in bands):
        raise DefinitionError(f"{where}: bands must be in ascending order")
    subscales = []
    for entry in raw.get("subscales", []):
        subscale = Subscale(
            code=_require(entry, "code", where),
            name=_require(entry, "name", where),
            items=tuple(int(n) for n in _require(entry, "items", where)),
            scoring=Scoring(entry.get("scoring", "sum")),
            min_answered=int(entry.get("min_answered", len(entry["items"]))),
            source=_require(entry, "source", where),
        )
        if not set(subscale.items) <= {item.number for item in items}:
            raise DefinitionError(f"{where}: subscale '{subscale.code}' names an item that does not exist")
        subscales.append(subscale)
    low, high = _require(raw, "score_range", where)
    instrument = Instrument(
        code=_require(raw, "code", where),
        version=_require(raw, "version", where),
        name=_require(raw, "name", where),
        short_name=_require(raw, "short_name", where),
        respondent=Respondent(_require(raw, "respondent", where)),
        audience=_require(raw, "audience", where),
        recall_period=_require(raw, "recall_period", where),
        stem=raw.get("stem"),
        scoring=Scoring(_require(raw, "scoring", where)),
        score_range=(float(low), float(high)),
        higher_is_better=bool(_require(raw, "higher_is_better", where)),
        item_text=ItemText(_require(raw, "item_text", where)),
        items=items,
        missing=Missing(
            policy=MissingPolicy(_require(missing_raw, "policy", where)),
            max_missing=int(missing_raw.get("max_missing", 0)),
            min_answered=int(missing_raw.get("min_answered", 0)),
            source=str(missing_raw.get("source", "")),
        ),
        bands=bands,
        bands_source=str(raw.get("bands_source", "")),
        licence=_require(raw, "licence", where),
        citation=_require(raw, "citation", where),
        sources=tuple(_require(raw, "sources", where)),
        loinc_panel=raw.get("loinc_panel"),
        loinc_total=raw.get("loinc_total"),
        subscales=tuple(subscales),
        percentage_factor=int(raw["percentage_factor"]) if "percentage_factor" in raw else None,
        notes=tuple(raw.get("notes", [])),
    )
    if (instrument.scoring == Scoring.MEAN_OF_SUBSCALES) != (instrument.missing.policy == MissingPolicy.SUBSCALES):
        raise DefinitionError(f"{where}: scoring 'mean_of_subscales' goes with the missing policy 'subscales'")
    if instrument.scoring == Scoring.MEAN_OF_SUBSCALES and not subscales:
        raise DefinitionError(f"{where}: scoring 'mean_of_subscales' needs subscales")
    counts = {item.number for item in items if item.is_count}
    if any(set(subscale.items) & counts for subscale in subscales):
        raise DefinitionError(f"{where}: a count item cannot be in a subscale")
    # A not-applicable option's label is iptriad's own words, not the form's, so it ships even with local wording.
    if instrument.item_text == ItemText.LOCAL and (
        instrument.stem or any(item.text or any(o.text for o in item.options if not o.not_applicable) for item in items)
    ):
        raise DefinitionError(f"{where}: item text is marked local (restricted) but the file carries form text")
    return instrument


@cache
def instruments() -> dict[str, Instrument]:
    """Every shipped instrument by code, read once."""
    found: dict[str, Instrument] = {}
    for entry in sorted(resources.files("iptriad.core.instruments").joinpath("data").iterdir(), key=str):
        if entry.name.endswith(".toml"):
            instrument = parse_instrument(entry.read_text(encoding="utf-8"), entry.name)
            if f"{instrument.code}.toml" != entry.name:
                raise DefinitionError(f"{entry.name}: code '{instrument.code}' does not match the file name")
            found[instrument.code] = instrument
    return found


def instrument(code: str) -> Instrument:
    try:
        return instruments()[code]
    except KeyError:
        raise UnknownInstrumentError(code) from None


class UnknownInstrumentError(KeyError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown instrument '{self.code}'; known: {', '.join(sorted(instruments()))}"
