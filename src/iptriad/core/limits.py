"""How long a free text a person may write: one limit per field, read by the model, the form, the API and the service.

A model's text column carries its limit as `max_length` (an encrypted text column too: the database does not
enforce it, the field does when the row is saved); a page's form and an API body take it from the column, so a
client of the API can always write back what it read. `tests/core/test_text_limits.py` walks every model and fails
on a text column without a limit.
"""

from __future__ import annotations

from collections.abc import Mapping

# A clinical note: a few pages of writing, not a pasted file (the API's limit before the pages had one).
NOTE_MAX = 10_000
# One answer of the termination review or the relapse-prevention plan: a page of notes.
ANSWER_MAX = 5_000
# A note on a change of phase: a few lines.
PHASE_NOTE_MAX = 2_000
# The organisation's crisis contacts, shown to a client after a positive self-harm answer.
CRISIS_CONTACTS_MAX = 2_000


def too_long(limit: int) -> str:
    """The message for a text over its limit, the same on the pages, in the API and from a service."""
    return f"Keep this to at most {limit:,} characters (it is {{length:,}})."


def too_long_errors(values: Mapping[str, object], limits: Mapping[str, int | None]) -> dict[str, str]:
    """For each text longer than its limit, the field's message; texts without a limit are not checked."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        limit = limits.get(name)
        if limit is not None and isinstance(value, str) and len(value) > limit:
            errors[name] = too_long(limit).format(length=len(value))
    return errors
