"""Checks of new passwords: an offline guessability estimate (zxcvbn, whose dictionaries include leaked passwords)
and a documented list of words of this service's context that a password may not lean on (ASVS 6.1.2, 6.2.11).

No composition rule (a digit, a capital, a symbol) is imposed: length and guessability decide (ASVS 6.2.5).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

# zxcvbn only looks at the first characters; a longer password is not weaker for it.
_CHECKED_LENGTH = 100

# Words an attacker guessing a password for this service tries first: the product, the therapy, its vocabulary.
# Documented in docs/security.md ("Passwords"); the user's own name, e-mail and organisations are added per user.
CONTEXT_WORDS = (
    "iptriad",
    "triad",
    "interpersonal",
    "psychotherapy",
    "therapy",
    "therapist",
    "counselling",
    "counseling",
    "clinic",
    "supervisor",
    "facilitator",
    "password",
    "passwort",
    "welcome",
    "letmein",
)
# What must remain once the context words, digits and symbols are taken out: a context word with a year and a
# "!" is still a guess away, a long passphrase that happens to contain one is not.
MIN_LETTERS_BESIDE_CONTEXT = 8
# Parts of names and e-mail addresses shorter than this are too common to refuse ("ann", "co").
_MIN_WORD = 4

ERROR_GUESSABLE = (
    "This password is too easy to guess: it is close to common or leaked passwords, names or patterns. "
    "Use a longer passphrase of several unrelated words."
)
ERROR_CONTEXT = (
    "This password leans on a word anyone would try here (such as the service's name, the therapy, your name or "
    "your organisation's). Add several unrelated words."
)


def _words(values: Iterable[str]) -> set[str]:
    return {word for value in values for word in re.split(r"[^a-z]+", value.lower()) if len(word) >= _MIN_WORD}


def context_words(user: Any = None) -> set[str]:
    """The fixed list, with the user's name, e-mail name and organisations (when the user is saved) as words."""
    # The part before the @ only: a domain names a provider or an institution, not the person.
    local_part = str(getattr(user, "email", "") or "").partition("@")[0]
    personal = [local_part, str(getattr(user, "full_name", "") or "")]
    if user is not None and getattr(user, "pk", None) is not None:
        for name, slug in user.memberships.values_list("organisation__name", "organisation__slug"):
            personal += [name, slug]
    return set(CONTEXT_WORDS) | _words(personal)


class ZxcvbnValidator:
    """Refuse a password zxcvbn scores below `min_score` (0 to 4; 3 resists an offline attack on a slow hash)."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=sorted(context_words(user)))
        if int(result["score"]) < self.min_score:
            raise ValidationError(ERROR_GUESSABLE, code="password_guessable")

    def get_help_text(self) -> str:
        return "Your password must not be easy to guess: a passphrase of several unrelated words works well."


class ContextWordsValidator:
    """Refuse a password that is a context word dressed up: fewer than `min_letters` letters remain without them."""

    def __init__(self, min_letters: int = MIN_LETTERS_BESIDE_CONTEXT) -> None:
        self.min_letters = min_letters

    def validate(self, password: str, user: Any = None) -> None:
        letters = re.sub(r"[^a-z]+", "", password.lower())
        found = [word for word in sorted(context_words(user), key=len, reverse=True) if word in letters]
        if not found:
            return
        for word in found:
            letters = letters.replace(word, "")
        if len(letters) < self.min_letters:
            raise ValidationError(ERROR_CONTEXT, code="password_context_word")

    def get_help_text(self) -> str:
        return "Your password must not be built on the service's name, the therapy's words, your name or organisation."
