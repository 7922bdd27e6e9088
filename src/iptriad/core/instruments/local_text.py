"""Item wording an operator loads locally for instruments whose text iptriad may not ship (EPDS, WSAS ...).

The licensed wording lives in a TOML file on the operator's server, never in this repository:

    code = "epds"
    version = "1.0.0"            # the definition version the wording was checked against
    stem = "..."                 # optional
    [items.1]
    text = "..."
    options = ["...", "...", "...", "..."]   # in printed order, as many as the form prints

Loading refuses a file for another instrument or version, an unknown item, or the wrong number of options,
so a scoring key can never be paired with wording it was not written for.
"""

from __future__ import annotations

import dataclasses
import tomllib
from typing import Any

from iptriad.core.instruments.loader import DefinitionError
from iptriad.core.instruments.model import Instrument, Item, ItemText


def with_local_text(instrument: Instrument, text: str, where: str) -> Instrument:
    """The definition with the operator's wording filled in; scores, keys and rules are untouched."""
    try:
        raw: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(f"{where}: {error}") from error
    if raw.get("code") != instrument.code:
        raise DefinitionError(f"{where}: the file is for '{raw.get('code')}', not '{instrument.code}'")
    if raw.get("version") != instrument.version:
        raise DefinitionError(
            f"{where}: the wording was checked against version {raw.get('version')}, "
            f"but this definition is version {instrument.version}"
        )
    items_raw = raw.get("items", {})
    known = {str(item.number) for item in instrument.items}
    unknown = set(items_raw) - known
    if unknown:
        raise DefinitionError(f"{where}: no item {', '.join(sorted(unknown))} in {instrument.code}")
    items: list[Item] = []
    for item in instrument.items:
        entry = items_raw.get(str(item.number), {})
        options = item.options
        if "options" in entry:
            # The form's own options; a not-applicable option (WSAS "retired") keeps iptriad's label.
            printed = [option for option in item.options if not option.not_applicable]
            texts = entry["options"]
            if len(texts) != len(printed):
                raise DefinitionError(
                    f"{where}: item {item.number} needs {len(printed)} option texts, not {len(texts)}"
                )
            worded = iter(str(label) for label in texts)
            options = tuple(
                option if option.not_applicable else dataclasses.replace(option, text=next(worded))
                for option in item.options
            )
        items.append(dataclasses.replace(item, text=entry.get("text", item.text), options=options))
    missing = [item.number for item in items if not item.text]
    if missing:
        raise DefinitionError(f"{where}: no wording for items {', '.join(str(n) for n in missing)}")
    return dataclasses.replace(
        instrument, items=tuple(items), stem=raw.get("stem", instrument.stem), item_text=ItemText.SHIPPED
    )
