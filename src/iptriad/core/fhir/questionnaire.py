"""An instrument as the FHIR R4 Questionnaire its exported responses answer, so a receiver can resolve them.

* ``url`` ``urn:iptriad:questionnaire:<code>`` and ``version`` the definition's: a response's ``questionnaire`` is
  ``<url>|<version>``, and the Questionnaire travels in the same Bundle (iptriad has no server to publish it on).
* ``code`` and ``identifier`` carry the LOINC panel when the instrument has one (instruments.md 19.3).
* One ``choice`` item per question, ``linkId`` ``/<item LOINC>`` or ``<code>-<number>``, ``code`` the item's LOINC
  (else a local code), ``prefix`` the printed number, ``text`` only when the instrument ships its text.
* Every option is an ``answerOption.valueCoding``: the LOINC answer code when the definition has one, else the local
  ``urn:iptriad:instrument-option`` ``<code>-<item>-<printed position from 1>``. An option that counts towards the
  total carries its score as an ``ordinalValue`` extension; an option of an unscored item, or one excluded from the
  total ("not assessed"), carries none, so a receiver summing ordinalValues gets iptriad's raw sum.
* ``copyright``: the instrument's licence, and LOINC's notice when LOINC codes are used.

The responses' answers are these same codings (``export``), so each answer matches exactly one answerOption.
"""

from __future__ import annotations

import re

from iptriad.core.fhir.codes import (
    ITEM_SYSTEM,
    JSON,
    LOINC,
    OPTION_SYSTEM,
    ORDINAL_VALUE,
    QUESTIONNAIRE_PREFIX,
    stable_uuid,
)
from iptriad.core.instruments.model import Instrument, Item, ItemText

# The notice the US Core PHQ-9 Questionnaire carries for its LOINC content (instruments.md §3).
LOINC_NOTICE = (
    "This material contains content from LOINC® (http://loinc.org). LOINC is copyright © 1995-2024, Regenstrief "
    "Institute, Inc. and the LOINC Committee, and is available at no cost under the license at "
    "http://loinc.org/license."
)


def questionnaire_url(instrument: Instrument) -> str:
    return f"{QUESTIONNAIRE_PREFIX}{instrument.code}"


def questionnaire_canonical(instrument: Instrument) -> str:
    """What a QuestionnaireResponse's ``questionnaire`` holds: the url and the definition's version."""
    return f"{questionnaire_url(instrument)}|{instrument.version}"


def link_id(instrument: Instrument, item: Item) -> str:
    return f"/{item.loinc}" if item.loinc else f"{instrument.code}-{item.number}"


def item_text(instrument: Instrument, item: Item) -> str | None:
    """The wording, only when the instrument ships it (licensed wording stays on the site that loaded it)."""
    return item.text if instrument.item_text == ItemText.SHIPPED and item.text else None


def item_code(instrument: Instrument, item: Item) -> JSON:
    coding = (
        {"system": LOINC, "code": item.loinc}
        if item.loinc
        else {"system": ITEM_SYSTEM, "code": link_id(instrument, item)}
    )
    return {"coding": [coding], "text": item_text(instrument, item) or f"{instrument.short_name} item {item.number}"}


def option_coding(instrument: Instrument, item: Item, position: int) -> JSON:
    """The coding of an option, the same in the Questionnaire and in every answer (module docstring)."""
    option = item.options[position]
    coding: JSON = (
        {"system": LOINC, "code": option.loinc}
        if option.loinc
        else {"system": OPTION_SYSTEM, "code": f"{instrument.code}-{item.number}-{position + 1}"}
    )
    if option.text:
        coding["display"] = option.text
    return coding


def option_score(item: Item, position: int) -> int | float | None:
    """The score an option adds to the total; None for an unscored item or an excluded option."""
    return item.options[position].score if item.scored else None


def ordinal_value(score: int | float) -> JSON:
    return {"url": ORDINAL_VALUE, "valueDecimal": score}


def _name(instrument: Instrument) -> str:
    """A computable name (FHIR: a capital letter, then letters, digits and '_')."""
    return "Iptriad" + re.sub(r"[^A-Za-z0-9_]", "", instrument.code.upper())


def _item(instrument: Instrument, item: Item) -> JSON:
    entry: JSON = {
        "linkId": link_id(instrument, item),
        "code": item_code(instrument, item)["coding"],
        "prefix": str(item.number),
        "text": item_code(instrument, item)["text"],
        "type": "choice",
    }
    if item.is_count:  # how many times (EDE-Q 13-18): a number, no options, never scored
        entry["type"] = "integer"
        return entry
    options: list[JSON] = []
    for position in range(len(item.options)):
        option: JSON = {"valueCoding": option_coding(instrument, item, position)}
        score = option_score(item, position)
        if score is not None:
            option["extension"] = [ordinal_value(score)]
        options.append(option)
    entry["answerOption"] = options
    return entry


def _uses_loinc(instrument: Instrument) -> bool:
    return bool(
        instrument.loinc_panel
        or instrument.loinc_total
        or any(item.loinc or any(option.loinc for option in item.options) for item in instrument.items)
    )


def questionnaire(instrument: Instrument) -> JSON:
    """The Questionnaire of one instrument version (module docstring)."""
    resource: JSON = {
        "resourceType": "Questionnaire",
        "id": stable_uuid("questionnaire", instrument.code, instrument.version),
        "url": questionnaire_url(instrument),
        "version": instrument.version,
        "name": _name(instrument),
        "title": instrument.name,
        "status": "active",
        "subjectType": ["Patient"],
    }
    if instrument.loinc_panel:
        resource["identifier"] = [{"system": LOINC, "value": instrument.loinc_panel}]
        resource["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    notices = [instrument.licence] if instrument.licence else []
    if _uses_loinc(instrument):
        notices.append(LOINC_NOTICE)
    if notices:
        resource["copyright"] = " ".join(notices)
    resource["item"] = [_item(instrument, item) for item in instrument.items]
    return resource
