"""An offline guessability check for new passwords, with zxcvbn (its dictionaries include leaked passwords)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

# zxcvbn only looks at the first characters; a longer password is not weaker for it.
_CHECKED_LENGTH = 100

ERROR_GUESSABLE = (
    "This password is too easy to guess: it is close to common or leaked passwords, names or patterns. "
    "Use a longer passphrase of several unrelated words."
)


class ZxcvbnValidator:
    """Refuse a password zxcvbn scores below `min_score` (0 to 4; 3 resists an offline attack on a slow hash)."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        user_inputs = [str(value) for value in (getattr(user, "email", ""), getattr(user, "full_name", "")) if value]
        result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=user_inputs)
        if int(result["score"]) < self.min_score:
            raise ValidationError(ERROR_GUESSABLE, code="password_guessable")

    def get_help_text(self) -> str:
        return "Your password must not be easy to guess: a passphrase of several unrelated words works well."
