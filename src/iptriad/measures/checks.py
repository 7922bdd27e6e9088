"""`iptriad check` validates locally loaded instrument wording before anyone relies on it."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from iptriad.core.instruments import DefinitionError
from iptriad.measures.definitions import _with_text, text_dir


@register()
def instrument_text_check(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    folder = text_dir()
    if folder is None:
        return []
    if not folder.is_dir():
        return [Error(f"IPTRIAD_INSTRUMENT_TEXT_DIR is not a folder: {folder}", id="iptriad.E001")]
    try:
        _with_text.cache_clear()
        _with_text(str(folder))
    except (DefinitionError, OSError, UnicodeDecodeError) as error:
        return [Error(f"Instrument wording in {folder} was refused: {error}", id="iptriad.E002")]
    return []
