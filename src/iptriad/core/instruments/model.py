"""What an instrument is, as plain data: items, options in printed order, keys, bands, rules.

Every clinical constant comes from a data file in `data/` with its source and the reference's tag
([V] confirmed, [M] standard literature, [?] uncertain), so a clinician can audit it (see docs/instruments.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Respondent(StrEnum):
    SELF = "self"
    CLINICIAN = "clinician"


class Scoring(StrEnum):
    SUM = "sum"
    MEAN = "mean"
    SOCIAL_RHYTHM = "social_rhythm"  # a weekly diary, scored by iptriad.core.instruments.social_rhythm
    MEAN_OF_SUBSCALES = "mean_of_subscales"  # the total is the mean of the subscale scores (EDE-Q global score)


class MissingPolicy(StrEnum):
    """What a missing answer does to the total."""

    INVALID = "invalid"  # any missing scored item makes the total invalid
    PRORATE = "prorate"  # up to `max_missing`: mean of the answered items x item count, rounded half up
    IMPUTE_MEAN = "impute_mean"  # up to `max_missing`: each missing item takes the mean of the others
    MIN_ANSWERED = "min_answered"  # mean-scored scales: valid when at least `min_answered` items are answered
    SUBSCALES = "subscales"  # MEAN_OF_SUBSCALES: valid when every subscale is scored (each by its own min_answered)


class ItemText(StrEnum):
    SHIPPED = "shipped"  # free to reproduce: the item text ships with iptriad
    LOCAL = "local"  # restricted or unsettled: structure and scoring ship, an operator loads the text locally


@dataclass(frozen=True)
class Option:
    """One printed answer choice; `score` None means the answer is recorded but excluded from the total.

    A `not_applicable` option says the item does not apply to this respondent (the WSAS work item for someone
    retired): it scores None, and its `text` is iptriad's own label, shipped even when the form's wording is local.
    """

    score: int | float | None
    text: str | None = None
    loinc: str | None = None
    not_applicable: bool = False


@dataclass(frozen=True)
class CriticalRule:
    """An answer scoring at least `min_score` raises a risk alert, whatever the total and whatever is missing.

    `client_wording` is what the client's thank-you page says they answered, in plain words true to the item
    (a lifetime attempt is not "thoughts of harming yourself"); a clinician-rated item has none.

    A `lifetime` item asks about the whole of life (PHQ-A item 13, "EVER tried to kill yourself"): its Yes cannot
    go away, so it opens one alert per treatment context, and later Yes answers in the same context are history.
    """

    min_score: float
    source: str
    client_wording: str | None = None
    lifetime: bool = False


@dataclass(frozen=True)
class CountRule:
    """The item asks how many times (or days) something happened: the answer is a number from 0 to `maximum`,
    not an option position, and it is never scored (EDE-Q items 13-18)."""

    maximum: int  # an input bound against typing errors, not a clinical fact
    source: str


@dataclass(frozen=True)
class Item:
    number: int
    options: tuple[Option, ...]  # in the order the form prints them; empty for a count
    text: str | None = None
    loinc: str | None = None
    scored: bool = True  # unscored items (difficulty, screening questions) are asked but not summed
    critical: CriticalRule | None = None
    count: CountRule | None = None

    @property
    def is_count(self) -> bool:
        return self.count is not None


@dataclass(frozen=True)
class Band:
    """A severity band: applies from `lower` (inclusive) up to the next band's lower bound."""

    lower: float
    label: str
    loinc: str | None = None


@dataclass(frozen=True)
class Subscale:
    code: str
    name: str
    items: tuple[int, ...]
    scoring: Scoring
    min_answered: int  # fewer answered items than this: the subscale is not scored
    source: str


@dataclass(frozen=True)
class Missing:
    policy: MissingPolicy
    max_missing: int = 0
    min_answered: int = 0
    source: str = ""


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    name: str
    short_name: str
    respondent: Respondent
    audience: str
    recall_period: str
    scoring: Scoring
    score_range: tuple[float, float]
    higher_is_better: bool
    item_text: ItemText
    items: tuple[Item, ...]
    missing: Missing
    bands: tuple[Band, ...]
    bands_source: str
    licence: str
    citation: str
    sources: tuple[str, ...]
    stem: str | None = None
    loinc_panel: str | None = None
    loinc_total: str | None = None
    subscales: tuple[Subscale, ...] = ()
    percentage_factor: int | None = None  # WHO-5: raw x 4 gives the 0-100 percentage
    notes: tuple[str, ...] = field(default=())

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    @property
    def critical_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.critical is not None)

    def item(self, number: int) -> Item:
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(f"{self.code} has no item {number}")

    def band_for(self, total: int | float) -> Band | None:
        chosen: Band | None = None
        for band in self.bands:
            if total >= band.lower:
                chosen = band
        return chosen
