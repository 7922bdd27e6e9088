"""The instrument definitions this server uses: the shipped ones, with any wording the operator loaded locally.

IPTRIAD_INSTRUMENT_TEXT_DIR names a folder of `<code>.toml` files (format in docs/instruments.md) holding
licensed wording iptriad may not ship (EPDS, WSAS, ASRM, EDE-Q). `iptriad check` validates them
(measures/checks.py), so a bad file is found at deployment, not by a client opening a link.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings

from iptriad.core.instruments import Instrument, UnknownInstrumentError, instruments
from iptriad.core.instruments.local_text import with_local_text


def text_dir() -> Path | None:
    configured = getattr(settings, "INSTRUMENT_TEXT_DIR", None)
    return Path(configured) if configured else None


@cache
def _with_text(folder: str | None) -> dict[str, Instrument]:
    shipped = instruments()
    if folder is None:
        return dict(shipped)
    loaded = dict(shipped)
    for path in sorted(Path(folder).glob("*.toml")):
        if path.stem in shipped:
            loaded[path.stem] = with_local_text(shipped[path.stem], path.read_text(encoding="utf-8"), str(path))
    return loaded


def definitions() -> dict[str, Instrument]:
    """Every instrument by code, with locally loaded wording applied (read once per process)."""
    folder = text_dir()
    return _with_text(str(folder) if folder else None)


def definition(code: str) -> Instrument:
    try:
        return definitions()[code]
    except KeyError:
        raise UnknownInstrumentError(code) from None
