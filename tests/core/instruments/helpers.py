"""Small helpers for the instrument tests: turn the scores a clinician thinks in into form positions."""

from __future__ import annotations

from collections.abc import Sequence

from iptriad.core.instruments import Instrument


def positions(instrument: Instrument, scores: Sequence[int | float | None]) -> list[int | None]:
    """The printed position of the option scoring `score` on each item (None stays None: not answered)."""
    answers: list[int | None] = []
    for item, wanted in zip(instrument.items, scores, strict=False):
        if wanted is None:
            answers.append(None)
            continue
        matches = [index for index, option in enumerate(item.options) if option.score == wanted]
        assert len(matches) == 1, f"{instrument.code} item {item.number} has no single option scoring {wanted}"
        answers.append(matches[0])
    return answers


def spread(total: int, maxima: Sequence[int]) -> list[int]:
    """Item scores adding up to `total`, filling the items in order up to each item's maximum."""
    scores = []
    left = total
    for maximum in maxima:
        scores.append(min(left, maximum))
        left -= scores[-1]
    assert left == 0, f"{total} does not fit in {list(maxima)}"
    return scores
