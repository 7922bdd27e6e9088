"""Instrument definitions (versioned data files in `data/`) and the one scoring engine for all of them."""

from iptriad.core.instruments.loader import (
    DefinitionError,
    UnknownInstrumentError,
    instrument,
    instruments,
    parse_instrument,
)
from iptriad.core.instruments.model import Instrument, Item, Option
from iptriad.core.instruments.scoring import AnswerError, ScoreResult, accepted_answer_counts, score

__all__ = [
    "AnswerError",
    "DefinitionError",
    "Instrument",
    "Item",
    "Option",
    "ScoreResult",
    "UnknownInstrumentError",
    "accepted_answer_counts",
    "instrument",
    "instruments",
    "parse_instrument",
    "score",
]
